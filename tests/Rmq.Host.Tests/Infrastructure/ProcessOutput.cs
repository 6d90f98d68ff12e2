using System.Diagnostics;
using System.Text;

namespace Rmq.Host.Tests.Infrastructure;

/// <summary>Collects a child process's stdout and stderr, interleaved, for assertions and failure messages.</summary>
public sealed class ProcessOutput
{
    private readonly StringBuilder _all = new();
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();

    public void Attach(Process process)
    {
        process.OutputDataReceived += (_, e) => Append(_out, e.Data);
        process.ErrorDataReceived += (_, e) => Append(_err, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string All { get { lock (_all) return _all.ToString(); } }
    public string StdOut { get { lock (_all) return _out.ToString(); } }
    public string StdErr { get { lock (_all) return _err.ToString(); } }

    private void Append(StringBuilder target, string? line)
    {
        if (line is null) return;
        lock (_all)
        {
            target.AppendLine(line);
            _all.AppendLine(line);
        }
    }
}
