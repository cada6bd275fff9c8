namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>
/// Finds real peer programs (redis-server, promtool, haproxy...). A test skips when the binary is
/// missing, unless SLUICE_REQUIRE_PEERS=1 (set by .ci/run), which turns that skip into a failure
/// so CI always runs the peer tests.
/// </summary>
public static class Peer
{
    public static bool Required => Environment.GetEnvironmentVariable("SLUICE_REQUIRE_PEERS") == "1";

    /// <summary>The binary's full path; skips (or fails under SLUICE_REQUIRE_PEERS=1) when absent.</summary>
    public static string Require(string name, string debianPackage)
    {
        var path = Find(name);
        if (path is not null)
        {
            return path;
        }

        var reason = $"{name} is not installed (Debian package {debianPackage}); .ci/run installs it";
        if (Required)
        {
            throw new InvalidOperationException(reason + ", and SLUICE_REQUIRE_PEERS=1 forbids skipping");
        }

        Skip.If(true, reason);
        return null!;
    }

    public static string? Find(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/usr/bin", "/sbin"]))
        {
            if (dir.Length == 0)
            {
                continue;
            }

            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
