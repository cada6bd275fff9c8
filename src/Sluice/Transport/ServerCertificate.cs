using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sluice.Transport;

/// <summary>
/// The tunnel server's TLS certificate: the configured PEM pair, or a self-signed ECDSA P-256 pair
/// generated on first start and kept (so the fingerprint agents pin stays the same across restarts).
/// </summary>
internal static class ServerCertificate
{
    public const string DefaultCertFile = "sluice-tunnel.crt";
    public const string DefaultKeyFile = "sluice-tunnel.key";

    /// <summary>Loads the pair, generating it first when both files are absent and <paramref name="generateIfMissing"/>.</summary>
    public static (X509Certificate2 Certificate, bool Generated) LoadOrCreate(string certPath, string keyPath, bool generateIfMissing)
    {
        var generated = false;
        if (generateIfMissing && !File.Exists(certPath) && !File.Exists(keyPath))
        {
            Generate(certPath, keyPath);
            generated = true;
        }

        using var loaded = X509Certificate2.CreateFromPemFile(certPath, keyPath);

        // A PEM-loaded key is ephemeral; re-importing as PKCS#12 gives SslStream a key it can use
        // on every platform (Windows needs this; on Linux it is cheap).
        var certificate = X509CertificateLoader.LoadPkcs12(loaded.Export(X509ContentType.Pkcs12), password: null);
        return (certificate, generated);
    }

    public static void Generate(string certPath, string keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=sluice-tunnel-server", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));

        var directory = Path.GetDirectoryName(Path.GetFullPath(keyPath));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        // The key file is written owner-only before any secret goes into it.
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(keyPath, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(key.ExportPkcs8PrivateKeyPem());
        }

        File.WriteAllText(certPath, certificate.ExportCertificatePem());
    }

    /// <summary>SHA-256 over the DER certificate: what agents pin.</summary>
    public static byte[] Sha256(X509Certificate certificate) => SHA256.HashData(certificate.GetRawCertData());
}
