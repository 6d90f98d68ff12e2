namespace Rmq;

/// <summary>
/// <c>RmqClient.ConnectAsync</c> found no Rmq silo where the options point. The message says where it looked
/// and what to do; <see cref="Exception.InnerException"/> is Orleans' own reason.
/// </summary>
public sealed class SiloUnreachableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SiloUnreachableException(string message, Exception? innerException) : base(message, innerException) { }
}
