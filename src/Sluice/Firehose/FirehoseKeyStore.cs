using System.Security.Cryptography;
using Sluice.Protocols.Firehose;

namespace Sluice.Firehose;

/// <summary>
/// key_file: the gateway's secp256k1 private key as 64 hex digits, so its public key (which
/// resuming clients check) survives restarts. Created with mode 0600 when missing.
/// </summary>
internal static class FirehoseKeyStore
{
    public static FirehoseKeyPair LoadOrCreate(string path)
    {
        if (path.Length == 0)
        {
            return FirehoseKeyPair.Create();
        }

        if (File.Exists(path))
        {
            var text = File.ReadAllText(path).Trim();
            byte[] scalar;
            try
            {
                scalar = Convert.FromHexString(text);
            }
            catch (FormatException ex)
            {
                throw new InvalidDataException($"key_file {path}: expected 64 hex digits (a secp256k1 private key)", ex);
            }

            try
            {
                return FirehoseKeyPair.FromPrivateKey(scalar);
            }
            catch (CryptographicException ex)
            {
                throw new InvalidDataException($"key_file {path}: not a valid secp256k1 private key", ex);
            }
        }

        var key = FirehoseKeyPair.Create();
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.WriteLine(Convert.ToHexString(key.ExportPrivateKey()));
        }

        return key;
    }
}
