namespace Rmq.Cli;

/// <summary>A problem with the command line itself; exits with <see cref="ExitCodes.Usage"/>.</summary>
internal sealed class UsageException(string message) : Exception(message);
