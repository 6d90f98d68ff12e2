using System.Globalization;

namespace Rmq.Bench.Measurement;

/// <summary>How figures are printed: per-second rates with thousands separators, milliseconds with two decimals.</summary>
internal static class Format
{
    public static string Value(double value, string unit) => unit == "ms"
        ? value.ToString("0.00", CultureInfo.InvariantCulture) + " ms"
        : value.ToString("N0", CultureInfo.InvariantCulture) + " " + unit;

    public static string Number(double value, string unit) => unit == "ms"
        ? value.ToString("0.00", CultureInfo.InvariantCulture)
        : value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Ratio(double? ratio) => ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "—";
}
