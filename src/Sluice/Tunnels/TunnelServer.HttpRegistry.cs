using System.Collections.Concurrent;
using Sluice.Configuration;
using Sluice.Protocols.Tunnels;

namespace Sluice.Tunnels;

internal sealed partial class TunnelServer
{
    /// <summary>Read lock-free by the edge on every request; changed under <see cref="_lock"/>.</summary>
    private readonly ConcurrentDictionary<string, HttpRoute> _httpRoutes = new(StringComparer.Ordinal);

    /// <summary>The public HTTP edge, once started; its bound ports make the URLs registrations answer with.</summary>
    public Http.HttpEdge? HttpEdge { get; set; }

    /// <summary>The route for a request's host (routing form), or null: the edge answers 404.</summary>
    public HttpRoute? FindHttpRoute(string host) => _httpRoutes.GetValueOrDefault(host);

    /// <summary>Claims what the agent asked for; hosts it held and no longer lists are released. One result per request.</summary>
    public HttpTunnelResult[] RegisterHttp(AgentSession session, IReadOnlyList<HttpTunnelRequest> requests)
    {
        var config = _config;
        var agentConfig = AgentConfig(session.Agent);
        var results = new HttpTunnelResult[requests.Count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        var hosts = new HashSet<string>(StringComparer.Ordinal);
        lock (_lock)
        {
            if (!_sessions.TryGetValue(session.Agent, out var current) || current != session)
            {
                return [.. requests.Select(r => new HttpTunnelResult(r.Name, RegisterStatus.Unavailable, "session replaced"))];
            }

            for (var i = 0; i < requests.Count; i++)
            {
                results[i] = RegisterHttpOne(session, requests[i], config, agentConfig, names, hosts);
            }

            foreach (var (host, route) in _httpRoutes)
            {
                if (route.Agent == session.Agent && !hosts.Contains(host))
                {
                    _httpRoutes.TryRemove(host, out _);
                    TunnelLog.HttpHostReleased(Logger, session.Agent, host);
                }
            }
        }

        return results;
    }

    private HttpTunnelResult RegisterHttpOne(AgentSession session, HttpTunnelRequest request, TunnelServerConfig config, TunnelAgentConfig? agentConfig, HashSet<string> names, HashSet<string> hosts)
    {
        HttpTunnelResult Fail(RegisterStatus status, string why)
        {
            TunnelLog.HttpHostRefused(Logger, session.Agent, request.Name, request.Host, why);
            return new HttpTunnelResult(request.Name, status, why);
        }

        if (!config.HasHttpEdge)
        {
            return Fail(RegisterStatus.Unavailable, "this server has no HTTP edge (tunnel_server.http_listen is not set)");
        }

        if (request.Name.Length == 0 || !names.Add(request.Name))
        {
            return Fail(RegisterStatus.Invalid, "tunnel names must be non-empty and unique");
        }

        if (!HttpHostName.TryNormalize(request.Host, out var claim, out var error))
        {
            return Fail(RegisterStatus.Invalid, error!);
        }

        if (HttpHostName.Resolve(claim, config.Domain) is not { } host)
        {
            return Fail(RegisterStatus.Invalid, $"\"{claim}\" is a subdomain, but this server has no domain set: use a full host name");
        }

        if (!hosts.Add(host))
        {
            return Fail(RegisterStatus.Invalid, $"host {host} is requested twice");
        }

        if (!MayClaim(session.Agent, host, config.Domain, agentConfig))
        {
            hosts.Remove(host);
            return Fail(RegisterStatus.NotAllowed, $"host {host} is neither this agent's own subdomain nor in its allow_hosts");
        }

        if (_httpRoutes.TryGetValue(host, out var route))
        {
            if (route.Agent != session.Agent && route.Session is not null)
            {
                hosts.Remove(host);
                return Fail(RegisterStatus.Unavailable, $"host {host} is in use by another agent");
            }

            route.Assign(session.Agent, request, session);
        }
        else
        {
            route = new HttpRoute(host, session.Agent, request, Metrics.ForHost(host));
            route.Session = session;
            _httpRoutes[host] = route;
        }

        var url = PublicUrl(host);
        TunnelLog.HttpHostPublished(Logger, session.Agent, request.Name, url);
        return new HttpTunnelResult(request.Name, RegisterStatus.Ok, url);
    }

    /// <summary>An agent may claim the subdomain of its own name, and what its allow_hosts lists.</summary>
    private static bool MayClaim(string agent, string host, string domain, TunnelAgentConfig? config)
    {
        if (domain.Length > 0 && HttpHostName.TryNormalize(agent, out var own, out _) && host == $"{own}.{domain}")
        {
            return true;
        }

        return config is not null && config.AllowHosts.Any(allowed => HttpHostName.Resolve(allowed, domain) == host);
    }

    /// <summary>"http://demo.tunnel.example.com:8080" (the port left out when it is the scheme's own), and the https one too when there is an HTTPS edge.</summary>
    private string PublicUrl(string host)
    {
        static string Url(string scheme, string host, int port, int standard) => port == standard ? $"{scheme}://{host}" : $"{scheme}://{host}:{port}";

        var edge = HttpEdge;
        var urls = new List<string>(2);
        if (edge?.HttpPort is { } http)
        {
            urls.Add(Url("http", host, http, 80));
        }

        if (edge?.HttpsPort is { } https)
        {
            urls.Add(Url("https", host, https, 443));
        }

        return urls.Count == 0 ? $"http://{host}" : string.Join(' ', urls);
    }

    /// <summary>A reload: hosts whose agent was removed, or no longer may claim them (allow_hosts, domain), stop routing at once (404).</summary>
    private void DropDisallowedHosts(TunnelServerConfig config)
    {
        foreach (var (host, route) in _httpRoutes)
        {
            if (AgentConfig(route.Agent) is not { } agent || !MayClaim(route.Agent, host, config.Domain, agent))
            {
                _httpRoutes.TryRemove(host, out _);
                TunnelLog.HttpHostReleased(Logger, route.Agent, host);
            }
        }
    }

    /// <summary>The agent's session ended or was replaced: its hosts stay claimed, without a session until it registers again.</summary>
    private void ReleaseHttpSessions(string agent)
    {
        foreach (var route in _httpRoutes.Values)
        {
            if (route.Agent == agent)
            {
                route.Session = null;
            }
        }
    }
}
