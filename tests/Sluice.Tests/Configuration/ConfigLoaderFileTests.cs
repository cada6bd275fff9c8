using Sluice.Configuration;

namespace Sluice.Tests.Configuration;

public sealed class ConfigLoaderFileTests
{
    [Fact]
    public void Load_MissingFile_IsOneClearError()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sluice-missing-{Guid.NewGuid():N}.toml");

        var result = ConfigLoader.Load(path);

        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        Assert.Equal($"{path}: config file not found", error.ToString());
    }

    [Fact]
    public void Load_RelativePath_SetsFullSourcePathAndNamesItInErrors()
    {
        // Relative to the current directory rather than changing it: tests run in parallel.
        var directory = Directory.CreateTempSubdirectory("sluice-");
        try
        {
            var okPath = Path.Combine(directory.FullName, "ok.toml");
            var badPath = Path.Combine(directory.FullName, "bad.toml");
            File.WriteAllText(okPath, "[admin]\nlisten = \"127.0.0.1:0\"\n");
            File.WriteAllText(badPath, "[admin]\nlisten = 1\n");

            var ok = ConfigLoader.Load(Path.GetRelativePath(Environment.CurrentDirectory, okPath));
            var bad = ConfigLoader.Load(Path.GetRelativePath(Environment.CurrentDirectory, badPath));

            Assert.Equal(okPath, ok.Config?.SourcePath);
            Assert.Equal(badPath, Assert.Single(bad.Errors).File);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Parse_LeavesSourcePathUnset()
    {
        Assert.Null(ConfigLoader.Parse(string.Empty, "inline").Config?.SourcePath);
    }

    [Fact]
    public void ErrorToString_IsFileLineColumnKeyMessage()
    {
        var error = Assert.Single(ConfigLoader.Parse("[server]\nmax_connections = 0\n", "/etc/sluice.toml").Errors);

        Assert.Equal("/etc/sluice.toml:2:19: server.max_connections: must be at least 1, got 0", error.ToString());
    }
}
