namespace Rmq.Silo.Hosting;

/// <summary>A setting is wrong; the message names it and says what it must be. The host exits with code 2.</summary>
internal sealed class SettingsException(string message) : Exception(message);
