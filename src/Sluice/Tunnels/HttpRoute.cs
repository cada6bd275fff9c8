using Sluice.Protocols.Tunnels;

namespace Sluice.Tunnels;

/// <summary>
/// One public host on the HTTP edge, claimed by an agent. The claim belongs to the agent's name,
/// not its connection: while the agent reconnects the route stays (requests get 502) and the new
/// session takes it back; only while no session of the owner is live may another allowed agent
/// take the host.
/// </summary>
internal sealed class HttpRoute
{
    private volatile AgentSession? _session;
    private volatile Registration _registration;

    public HttpRoute(string host, string agent, HttpTunnelRequest request, HttpHostCounters counters)
    {
        Host = host;
        DestinationPrefix = $"http://{host}/";
        _registration = new Registration(agent, request);
        Counters = counters;
    }

    /// <summary>The routing form of the host: lower case, no port, no trailing dot.</summary>
    public string Host { get; }

    /// <summary>Where the edge forwards: the host names the handler's connection pool, whose connections are tunnel streams.</summary>
    public string DestinationPrefix { get; }

    public string Agent => _registration.Agent;

    /// <summary>The agent's request for this host: tunnel name, edge auth, Host rewrite, capture size.</summary>
    public HttpTunnelRequest Request => _registration.Request;

    /// <summary>The live session requests go to; null while the owner is away.</summary>
    public AgentSession? Session
    {
        get => _session;
        set => _session = value;
    }

    public HttpHostCounters Counters { get; }

    /// <summary>Agent and request change together, so a reader never sees one agent's name with another's credentials.</summary>
    public void Assign(string agent, HttpTunnelRequest request, AgentSession session)
    {
        _registration = new Registration(agent, request);
        _session = session;
    }

    private sealed record Registration(string Agent, HttpTunnelRequest Request);
}
