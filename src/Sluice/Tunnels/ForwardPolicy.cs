using System.Net;
using System.Net.Sockets;
using Sluice.Configuration;
using Sluice.Protocols.Tunnels;
using Sluice.Transport;

namespace Sluice.Tunnels;

/// <summary>
/// Decides a forward destination against an agent's allow_forward rules. Nothing is reachable
/// unless a rule says so. A name rule matches the name the agent asked for; a network rule
/// matches the address: a name is resolved here and the allowed address itself is dialed, so a
/// DNS answer that changes between check and connect cannot smuggle in another address.
/// </summary>
internal static class ForwardPolicy
{
    public static async ValueTask<ForwardDecision> DecideAsync(IReadOnlyList<ForwardRule> rules, string host, int port, TimeSpan dnsTimeout, CancellationToken cancellationToken)
    {
        var display = IPAddress.TryParse(host, out var literal) && literal.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{host}]:{port}" : $"{host}:{port}";
        if (literal is null)
        {
            foreach (var rule in rules)
            {
                if (rule.MatchesName(host, port))
                {
                    return new ForwardDecision(new HostPort(host, port), ForwardStatus.Ok, string.Empty);
                }
            }
        }

        if (!rules.Any(r => r.Network is not null && r.Ports.Contains(port)))
        {
            return NotAllowed(display);
        }

        IPAddress[] addresses;
        if (literal is not null)
        {
            addresses = [literal];
        }
        else
        {
            if (Uri.CheckHostName(host) != UriHostNameType.Dns)
            {
                return new ForwardDecision(null, ForwardStatus.DnsFailure, $"\"{host}\" is not a host name");
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(dnsTimeout);
            var (resolved, _) = await UpstreamDialer.ResolveAsync(new HostPort(host, port), timeout.Token, cancellationToken);
            if (resolved is null)
            {
                return new ForwardDecision(null, ForwardStatus.DnsFailure, $"cannot resolve {host}");
            }

            addresses = resolved;
        }

        foreach (var address in addresses)
        {
            foreach (var rule in rules)
            {
                if (rule.MatchesAddress(address, port))
                {
                    var ip = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
                    return new ForwardDecision(new HostPort(ip.ToString(), port), ForwardStatus.Ok, string.Empty);
                }
            }
        }

        return NotAllowed(display);
    }

    private static ForwardDecision NotAllowed(string display) =>
        new(null, ForwardStatus.NotAllowed, $"{display} is not in this agent's allow_forward");
}
