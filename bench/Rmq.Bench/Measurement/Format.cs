using System.Globalization;

namespace Rmq.Bench.Measurement;

/// <summary>How figures are printed: per-second rates with thousands separators, milliseconds with two decimals.</summary>
internal static class Format
{
    public static string Value(double value, string unit) => unit switch
    {
        "ms" => value.ToString("0.00", CultureInfo.InvariantCulture) + " ms",
        "%" => Number(value, unit) + "%",
        _ => value.ToString("N0", CultureInfo.InvariantCulture) + " " + unit,
    };

    public static string Number(double value, string unit) => unit switch
    {
        "ms" => value.ToString("0.00", CultureInfo.InvariantCulture),
        "%" => value.ToString("0.00", CultureInfo.InvariantCulture),
        _ => value.ToString("N0", CultureInfo.InvariantCulture),
    };

    public static string Ratio(double? ratio) => ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "—";
}
