using Microsoft.Extensions.Configuration;
using Rmq.AspNetCore;

namespace Rmq.Silo.Hosting;

/// <summary>The host's <c>Dashboard</c> section: bound to <see cref="RmqDashboardOptions"/> and checked before anything starts.</summary>
internal static class DashboardSettings
{
    /// <summary>Reads and checks the section; throws <see cref="SettingsException"/> naming the wrong key.</summary>
    public static RmqDashboardOptions Load(IConfiguration configuration)
    {
        var options = new RmqDashboardOptions();
        try
        {
            configuration.GetSection(RmqDashboardOptions.SectionName).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new SettingsException($"Invalid setting: {e.Message}");
        }
        if (options.Problem() is { } problem) throw new SettingsException(problem);
        return options;
    }
}
