using System.Globalization;

namespace Rmq.Bench.Reporting;

/// <summary>How the tables write sizes and durations, the same in every table.</summary>
internal static class Units
{
    /// <summary>Bytes as mebibytes with one decimal: "328.6 MB".</summary>
    public static string Mb(double bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB";

    /// <summary>Milliseconds, two decimals below 10 ms: "4.12 ms", "795 ms".</summary>
    public static string Ms(double ms) => ms.ToString(ms < 10 ? "0.00" : "0", CultureInfo.InvariantCulture) + " ms";
}
