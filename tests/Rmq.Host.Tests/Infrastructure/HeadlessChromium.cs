using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Rmq.Host.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium driven through Debian's chromedriver (packages chromium and chromium-driver,
/// installed by ./test.sh when missing), headless, with a fresh profile and no background traffic.
/// </summary>
public sealed class HeadlessChromium : IDisposable
{
    public const string BrowserPath = "/usr/bin/chromium";
    public const string DriverPath = "/usr/bin/chromedriver";

    private readonly ChromeDriverService _service;
    private readonly string _profile;

    public HeadlessChromium()
    {
        if (!File.Exists(BrowserPath) || !File.Exists(DriverPath))
            throw new InvalidOperationException($"{BrowserPath} and {DriverPath} are needed: apt-get install -y chromium chromium-driver (./test.sh does this).");
        _profile = Directory.CreateTempSubdirectory("rmq-chromium-").FullName;
        // An explicit driver path keeps Selenium from looking for (or downloading) a driver itself.
        _service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        _service.SuppressInitialDiagnosticInformation = true;
        _service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = BrowserPath };
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            $"--user-data-dir={_profile}", "--window-size=1280,900");
        Driver = new ChromeDriver(_service, options, TimeSpan.FromSeconds(60));
    }

    public ChromeDriver Driver { get; }

    /// <summary>
    /// The page's table as rows of visible cell texts; Go rmq's empty spacer cells are dropped. Read
    /// in one script call, so a page that reloads itself cannot change under the reading.
    /// </summary>
    public List<(string? Class, List<string> Cells)> TableRows()
    {
        const string script = """
            return Array.from(document.querySelectorAll('table tr')).map(tr =>
                [tr.className].concat(Array.from(tr.cells).filter((_, i) => i % 2 === 0).map(td => td.innerText.trim())));
            """;
        var rows = (IReadOnlyCollection<object>)Driver.ExecuteScript(script)!;
        return rows.Select(row => ((IReadOnlyCollection<object>)row).Select(cell => (string)cell).ToList())
            .Select(cells => (Class: cells[0].Length == 0 ? null : cells[0], Cells: cells.Skip(1).ToList()))
            .Select(r => ((string?)r.Class, r.Cells))
            .ToList();
    }

    public string Screenshot(string path)
    {
        ((ITakesScreenshot)Driver).GetScreenshot().SaveAsFile(path);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Driver.Quit();
        }
        finally
        {
            Driver.Dispose();
            // chromedriver is our child: make sure it is gone, by its pid.
            try
            {
                using var driverProcess = System.Diagnostics.Process.GetProcessById(_service.ProcessId);
                driverProcess.Kill(entireProcessTree: true);
            }
            catch (ArgumentException) { /* already exited */ }
            catch (InvalidOperationException) { /* already exited */ }
            _service.Dispose();
            try { Directory.Delete(_profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
