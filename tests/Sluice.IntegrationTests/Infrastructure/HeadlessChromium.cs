using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>
/// A headless Chromium driven through Selenium WebDriver, from the Debian packages chromium and
/// chromium-driver. Both binaries are given by path, so Selenium Manager never runs (it would
/// try to download a browser or a driver). Skips like a <see cref="Peer"/> when either binary is
/// missing, and fails instead under SLUICE_REQUIRE_PEERS=1. Each instance has its own profile
/// directory, so tests can run browsers in parallel.
/// </summary>
public sealed class HeadlessChromium : IDisposable
{
    /// <summary>Generous: a cold Chromium start and a first page on a busy 2-core machine.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly ChromeDriverService _service;
    private readonly TempDirectory _profile;

    private HeadlessChromium(ChromeDriverService service, ChromeDriver driver, TempDirectory profile)
    {
        _service = service;
        Driver = driver;
        _profile = profile;
    }

    public IWebDriver Driver { get; }

    /// <summary>Starts the browser; call it from a [SkippableFact] test.</summary>
    public static HeadlessChromium Start()
    {
        var chromium = Peer.Require("chromium", "chromium");
        var chromedriver = Peer.Require("chromedriver", "chromium-driver");

        // Belt and braces: with both paths given Selenium Manager is not consulted, and if it ever
        // were, these keep it offline and quiet.
        Environment.SetEnvironmentVariable("SE_AVOID_STATS", "true");
        Environment.SetEnvironmentVariable("SE_OFFLINE", "true");

        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(chromedriver)!, Path.GetFileName(chromedriver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var profile = new TempDirectory();
        var options = new ChromeOptions { BinaryLocation = chromium };
        options.AddArguments(
            "--headless=new",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            $"--user-data-dir={profile.Path}");
        try
        {
            var driver = new ChromeDriver(service, options, DefaultTimeout);
            return new HeadlessChromium(service, driver, profile);
        }
        catch
        {
            service.Dispose();
            profile.Dispose();
            throw;
        }
    }

    public void Open(Uri url) => Driver.Navigate().GoToUrl(url);

    /// <summary>
    /// Waits (polling the page, not sleeping a fixed time) until <paramref name="condition"/>
    /// returns a value other than null or false; fails naming <paramref name="what"/>.
    /// </summary>
    public T Until<T>(Func<IWebDriver, T> condition, string what, TimeSpan? timeout = null)
    {
        var wait = new WebDriverWait(Driver, timeout ?? DefaultTimeout)
        {
            PollingInterval = TimeSpan.FromMilliseconds(50),
            Message = what,
        };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        return wait.Until(condition);
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
            _service.Dispose();
            _profile.Dispose();
        }
    }
}
