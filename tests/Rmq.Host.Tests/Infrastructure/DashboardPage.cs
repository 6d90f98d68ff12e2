using OpenQA.Selenium;

namespace Rmq.Host.Tests.Infrastructure;

/// <summary>What the dashboard tests read from the page in Chromium, and the producer they run while they watch it.</summary>
public static class DashboardPage
{
    /// <summary>The text of one cell of a queue's row on the overview, or "" while it is not there.</summary>
    public static string QueueCell(HeadlessChromium browser, string queue, string column)
    {
        try
        {
            return (string?)browser.Driver.ExecuteScript(
                "const r = Array.from(document.querySelectorAll('#queues tr[data-queue]')).find(r => r.dataset.queue === arguments[0]);" +
                "return r ? r.querySelector('td.' + arguments[1]).innerText.trim() : '';", queue, column) ?? "";
        }
        catch (WebDriverException)
        {
            return "";
        }
    }

    /// <summary>
    /// The text of the page's toast, or "" while there is none. Read in one script call: a new toast replaces the old
    /// element and each removes itself after 6 s, so a handle found first and read after is often stale.
    /// </summary>
    public static string Toast(IWebDriver driver) => Text(driver, "#toast");

    /// <summary>
    /// The text of the first element <paramref name="css"/> selects, or "" while there is none. Read in one script
    /// call, for the parts of the page that are redrawn (a queue's stats and connections every 2 s, the toast).
    /// </summary>
    public static string Text(IWebDriver driver, string css) =>
        (string?)((IJavaScriptExecutor)driver).ExecuteScript("return document.querySelector(arguments[0])?.textContent ?? '';", css) ?? "";

    /// <summary>The page's open alert, confirm or prompt, or null while there is none.</summary>
    public static IAlert? Alert(IWebDriver driver)
    {
        try { return driver.SwitchTo().Alert(); }
        catch (NoAlertPresentException) { return null; }
    }

    /// <summary>
    /// Runs <paramref name="publish"/> (given a running number) every 100 ms while <paramref name="watch"/> runs, and
    /// stops it when <paramref name="watch"/> ends, however it ends.
    /// </summary>
    public static async Task WhilePublishingAsync(Func<int, Task> publish, Func<Task> watch)
    {
        using var stop = new CancellationTokenSource();
        var publishing = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await publish(i);
                await Task.Delay(100);
            }
        });
        try
        {
            await watch();
        }
        finally
        {
            await stop.CancelAsync();
            await publishing;
        }
    }

    /// <summary>Waits until the page has shown three different ready counts of <paramref name="queue"/> above <paramref name="above"/>.</summary>
    public static Task ReadyCountsChange(HeadlessChromium browser, string queue, long above, string what)
    {
        var seen = new HashSet<string>();
        return Eventually.True(() =>
        {
            seen.Add(QueueCell(browser, queue, "ready"));
            return Task.FromResult(seen.Count(s => long.TryParse(s, out var n) && n > above) >= 3);
        }, what, seconds: 20);
    }
}
