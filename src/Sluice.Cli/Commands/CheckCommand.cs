using System.CommandLine;
namespace Sluice.Cli.Commands;

/// <summary>`sluice check`: validates a config without running it; every error at once, exit 1.</summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var config = ConfigOption.Create();
        var command = new Command("check", "Validate a config file without running it") { config };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(config) ?? ConfigOption.DefaultPath;
            if (File.Exists(path) && Sluice.Configuration.AgentConfigLoader.LooksLikeAgentFile(File.ReadAllText(path)))
            {
                var agent = ConfigFile.LoadAgentOrReport(path, consequence: "");
                if (agent is null)
                {
                    return 1;
                }

                Console.WriteLine($"{path}: ok (agent \"{agent.Name}\" to {agent.Server}, {agent.Exposes.Count} exposed, {agent.Forwards.Count} forwards)");
                return 0;
            }

            var c = ConfigFile.LoadOrReport(path, consequence: "");
            if (c is null)
            {
                return 1;
            }

            Console.WriteLine($"{path}: ok ({c.Proxies.Count} proxy routes, {c.Clusters.Count} clusters, {c.Clusters.Sum(x => x.Upstreams.Count)} upstreams, {c.Echoes.Count} echo servers, {c.Firehoses.Count} firehoses, admin {(c.Admin is null ? "off" : c.Admin.Listen.ToString())}{(c.TunnelServer is null ? "" : $", tunnel server {c.TunnelServer.Listen} with {c.TunnelServer.Agents.Count} agents{HttpEdge(c.TunnelServer)}")})");
            return 0;
        });
        return command;
    }

    private static string HttpEdge(Sluice.Configuration.TunnelServerConfig tunnels)
    {
        var listens = new[] { tunnels.HttpListen is { } h ? $"http {h}" : null, tunnels.HttpsListen is { } s ? $"https {s}" : null }.OfType<string>().ToList();
        return listens.Count == 0 ? string.Empty : $", HTTP edge {string.Join(" + ", listens)}{(tunnels.Domain.Length > 0 ? $" for *.{tunnels.Domain}" : string.Empty)}";
    }
}
