using Sluice.Multiplexing;
using Sluice.Protocols.Multiplexing;
using Sluice.Tests.Health;

namespace Sluice.Tests.Multiplexing;

/// <summary>
/// A Sluice session on one end of an in-memory connection and a hand-driven peer on the other,
/// which writes exactly the frames (or garbage) a test wants and reads what the session sends.
/// </summary>
internal sealed class RawPeer : IAsyncDisposable
{
    private readonly Stream _wire;
    private readonly byte[] _header = new byte[FrameHeader.Size];

    private RawPeer(MuxSession session, CapturingLogger log, Stream wire)
    {
        Session = session;
        Log = log;
        _wire = wire;
    }

    public MuxSession Session { get; }

    public CapturingLogger Log { get; }

    /// <summary>Answer the session's pings while reading frames (off: a peer that never answers).</summary>
    public bool AnswerPings { get; set; } = true;

    public int PingsAnswered { get; private set; }

    /// <summary>The session is the server (the raw peer dials, odd ids) unless <paramref name="sessionIsClient"/>.</summary>
    public static RawPeer Create(MuxOptions? options = null, bool sessionIsClient = false, long pauseBytes = 1024 * 1024)
    {
        var (a, b) = PipeDuplexStream.CreatePair(pauseBytes);
        var log = new CapturingLogger();
        var session = MuxSession.Start(a, sessionIsClient, options ?? new MuxOptions(), log);
        return new RawPeer(session, log, b);
    }

    public Task SendAsync(FrameType type, FrameFlags flags, uint streamId, uint length, byte[]? payload = null)
    {
        var bytes = new byte[FrameHeader.Size + (payload?.Length ?? 0)];
        new FrameHeader(type, flags, streamId, length).Write(bytes);
        payload?.CopyTo(bytes, FrameHeader.Size);
        return SendRawAsync(bytes);
    }

    public Task OpenAsync(uint streamId, uint extraWindow = 0) => SendAsync(FrameType.WindowUpdate, FrameFlags.Syn, streamId, extraWindow);

    public Task SendDataAsync(uint streamId, byte[] payload, FrameFlags flags = FrameFlags.None) =>
        SendAsync(FrameType.Data, flags, streamId, (uint)payload.Length, payload);

    public async Task SendRawAsync(byte[] bytes)
    {
        await _wire.WriteAsync(bytes);
        await _wire.FlushAsync();
    }

    /// <summary>The next frame the session sent, or null at EOF. Pings are answered (unless off) and skipped.</summary>
    public async Task<(FrameHeader Header, byte[] Payload)?> ReadFrameAsync()
    {
        while (true)
        {
            using var timeout = new CancellationTokenSource(TestTimeout.Value);
            var read = await _wire.ReadAtLeastAsync(_header, FrameHeader.Size, throwOnEndOfStream: false, timeout.Token);
            if (read < FrameHeader.Size)
            {
                return null;
            }

            Assert.Equal(FrameParseStatus.Ok, FrameHeader.TryParse(_header, out var header));
            var payload = header.Type == FrameType.Data ? new byte[header.Length] : [];
            await _wire.ReadExactlyAsync(payload, timeout.Token);
            if (header.Type == FrameType.Ping && header.HasFlag(FrameFlags.Syn))
            {
                if (AnswerPings)
                {
                    PingsAnswered++;
                    try
                    {
                        await SendAsync(FrameType.Ping, FrameFlags.Ack, 0, header.Length);
                    }
                    catch (IOException)
                    {
                        // The session already closed its end; the frames it sent are still read.
                    }
                }

                continue;
            }

            return (header, payload);
        }
    }

    /// <summary>Reads frames until one matches; fails at EOF.</summary>
    public async Task<FrameHeader> ExpectAsync(Func<FrameHeader, bool> match, string what)
    {
        while (true)
        {
            var frame = await ReadFrameAsync();
            Assert.True(frame is not null, "EOF before " + what);
            if (match(frame.Value.Header))
            {
                return frame.Value.Header;
            }
        }
    }

    /// <summary>Reads until EOF; returns the frames seen on the way.</summary>
    public async Task<List<FrameHeader>> ReadUntilEofAsync()
    {
        var frames = new List<FrameHeader>();
        while (await ReadFrameAsync() is { } frame)
        {
            frames.Add(frame.Header);
        }

        return frames;
    }

    public void CloseWire() => _wire.Dispose();

    public async ValueTask DisposeAsync()
    {
        await Session.DisposeAsync();
        _wire.Dispose();
    }
}
