namespace Rmq.Cli;

/// <summary>A problem with the command line itself; exits with <see cref="ExitCodes.Usage"/>.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>No silo could be reached; exits with <see cref="ExitCodes.Unreachable"/>.</summary>
internal sealed class SiloUnreachableException(string message, Exception? inner) : Exception(message, inner);
