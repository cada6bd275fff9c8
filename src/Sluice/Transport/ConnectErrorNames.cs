namespace Sluice.Transport;

public static class ConnectErrorNames
{
    /// <summary>A short snake_case reason for metrics labels and logs.</summary>
    public static string ToName(this ConnectError error) => error switch
    {
        ConnectError.None => "ok",
        ConnectError.Timeout => "connect_timeout",
        ConnectError.Refused => "connect_refused",
        ConnectError.Unreachable => "connect_unreachable",
        ConnectError.DnsFailure => "dns_failure",
        ConnectError.NoDescriptors => "no_file_descriptors",
        _ => "connect_error",
    };
}
