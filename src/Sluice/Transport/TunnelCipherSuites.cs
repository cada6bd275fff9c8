using System.Net.Security;

namespace Sluice.Transport;

/// <summary>
/// The TLS cipher suites tunnels offer, fastest first. OpenSSL's default order puts
/// AES-256-GCM first for TLS 1.3; AES-128-GCM carried 1.3-1.8x more per core in a loopback
/// SslStream test on the project machines (AES-NI), and is as strong as anything a tunnel
/// needs. ChaCha20-Poly1305 stays for CPUs without AES instructions. Null on Windows, which
/// takes its order from the OS.
/// </summary>
internal static class TunnelCipherSuites
{
    public static CipherSuitesPolicy? Policy { get; } = OperatingSystem.IsWindows() ? null : Create();

    private static CipherSuitesPolicy? Create()
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        return new CipherSuitesPolicy(
        [
            TlsCipherSuite.TLS_AES_128_GCM_SHA256,
            TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
            TlsCipherSuite.TLS_AES_256_GCM_SHA384,
            TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        ]);
    }
}
