using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sluice.Transport;

/// <summary>
/// How an agent decides to trust the server: a pinned SHA-256 fingerprint (the self-signed
/// default), a private CA file, or else the system's trust store with the host name checked.
/// </summary>
internal sealed class ServerCertificateValidator
{
    private readonly byte[]? _pinned;
    private readonly X509Certificate2Collection? _roots;

    private ServerCertificateValidator(string? pinnedHex, X509Certificate2Collection? roots)
    {
        _pinned = pinnedHex is null ? null : Convert.FromHexString(pinnedHex);
        _roots = roots;
    }

    /// <summary>The last failure, for the agent's log line.</summary>
    public string? LastFailure { get; private set; }

    /// <param name="pinnedHex">Normalized upper-case hex (see Configuration.Fingerprint), or null.</param>
    public static ServerCertificateValidator Create(string? pinnedHex, string? caFile)
    {
        X509Certificate2Collection? roots = null;
        if (caFile is not null)
        {
            roots = [];
            roots.ImportFromPemFile(caFile);
        }

        return new ServerCertificateValidator(pinnedHex, roots);
    }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            LastFailure = "the server sent no certificate";
            return false;
        }

        if (_pinned is not null)
        {
            var actual = ServerCertificate.Sha256(certificate);
            var match = CryptographicOperations.FixedTimeEquals(actual, _pinned);
            LastFailure = match ? null : $"server certificate fingerprint {Configuration.Fingerprint.Format(actual)} does not match the pinned one";
            return match;
        }

        if (_roots is not null)
        {
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(_roots);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            using var leaf = new X509Certificate2(certificate);
            var ok = custom.Build(leaf) && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
            LastFailure = ok ? null : "server certificate is not signed by ca_file (or its name does not match the server address)";
            return ok;
        }

        LastFailure = errors == SslPolicyErrors.None ? null : $"server certificate is not trusted ({errors}); pin it with server_fingerprint or give ca_file";
        return errors == SslPolicyErrors.None;
    }
}
