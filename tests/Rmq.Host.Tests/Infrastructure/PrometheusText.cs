using System.Globalization;
using System.Text.RegularExpressions;

namespace Rmq.Host.Tests.Infrastructure;

/// <summary>
/// A strict reader of the Prometheus text exposition format (0.0.4): every line must be a comment
/// (<c># HELP</c>, <c># TYPE</c>, or another <c>#</c> line), blank, or a sample
/// <c>name{label="value",...} value [timestamp]</c>, and every sample must belong to a family whose
/// TYPE came first. Anything else fails the parse.
/// </summary>
public sealed partial class PrometheusText
{
    private PrometheusText(List<Sample> samples, Dictionary<string, string> types)
    {
        Samples = samples;
        Types = types;
    }

    public IReadOnlyList<Sample> Samples { get; }
    public IReadOnlyDictionary<string, string> Types { get; }

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public static PrometheusText Parse(string text)
    {
        var samples = new List<Sample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                var type = TypeLine().Match(line);
                if (type.Success) types[type.Groups["name"].Value] = type.Groups["type"].Value;
                else if (line.StartsWith("# TYPE", StringComparison.Ordinal) || (line.StartsWith("# HELP", StringComparison.Ordinal) && !HelpLine().IsMatch(line)))
                    throw new FormatException($"line {lineNumber}: malformed comment: {line}");
                continue;
            }
            var sample = SampleLine().Match(line);
            if (!sample.Success) throw new FormatException($"line {lineNumber}: not a sample: {line}");
            var name = sample.Groups["name"].Value;
            if (!types.Keys.Any(family => name == family || (name.StartsWith(family + "_", StringComparison.Ordinal) && Suffixes.Contains(name[(family.Length + 1)..]))))
                throw new FormatException($"line {lineNumber}: sample {name} has no TYPE line before it");
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match label in Label().Matches(sample.Groups["labels"].Value))
                labels[label.Groups["key"].Value] = Regex.Unescape(label.Groups["value"].Value);
            var value = sample.Groups["value"].Value;
            var parsed = value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                _ => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            samples.Add(new Sample(name, labels, parsed));
        }
        return new PrometheusText(samples, types);
    }

    /// <summary>The value of the one sample with that name and <c>queue</c> label; fails when there is none or several.</summary>
    public double Value(string name, string queue) =>
        Samples.Single(s => s.Name == name && s.Labels.TryGetValue("queue", out var q) && q == queue).Value;

    /// <summary>Whether a sample with that name and queue label exists.</summary>
    public bool Has(string name, string queue) =>
        Samples.Any(s => s.Name == name && s.Labels.TryGetValue("queue", out var q) && q == queue);

    private static readonly HashSet<string> Suffixes = ["total", "bucket", "sum", "count", "created"];

    [GeneratedRegex(@"^# TYPE (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<type>counter|gauge|histogram|summary|untyped)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$")]
    private static partial Regex HelpLine();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>([a-zA-Z_][a-zA-Z0-9_]*=""([^""\\]|\\.)*"",?)*)\})? (?<value>[^ ]+)( -?[0-9]+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>([^""\\]|\\.)*)""")]
    private static partial Regex Label();
}
