using System.Buffers.Binary;
using System.Net.Sockets;

namespace Sluice.Cli.Bench;

/// <summary>
/// One rr connection: send a message, read the same number of bytes back, check they are the
/// echo, record the latency, repeat. One buffer for its lifetime (request half, response half);
/// a round trip allocates nothing (Socket's ValueTask operations reuse their awaitables).
/// </summary>
internal sealed class RrConnection
{
    private readonly Socket _socket;
    private readonly int _lane;
    private readonly int _size;
    private readonly byte[] _buffer;
    private long _sequence;

    public RrConnection(Socket socket, int lane, int size)
    {
        _socket = socket;
        _lane = lane;
        _size = size;
        _buffer = new byte[size * 2];

        // A per-connection pattern, so bytes crossing connections would not pass as an echo.
        _buffer.AsSpan(0, size).Fill((byte)('a' + (lane % 26)));
    }

    /// <summary>Where this connection waits for its send times in a paced phase; set by the load before the phase.</summary>
    public PacedGate? Gate { get; set; }

    /// <summary>How many connections share the pacer's schedule (request k belongs to connection k mod Lanes).</summary>
    public int Lanes { get; set; } = 1;

    /// <summary>Ends the connection's loop: true when it stopped cleanly, false after an error.</summary>
    public async Task<bool> RunAsync(RrPhase phase)
    {
        var pacer = phase.Pacer;
        var gate = Gate;
        var request = _buffer.AsMemory(0, _size);
        var response = _buffer.AsMemory(_size, _size);
        try
        {
            for (long i = 0; ; i++)
            {
                long intended;
                if (pacer is not null && gate is not null)
                {
                    var k = (i * Lanes) + _lane;
                    if (!pacer.IsScheduled(k) || !await gate.WaitAsync(i))
                    {
                        return true;
                    }

                    intended = pacer.DueTime(k);
                }
                else
                {
                    if (!phase.Bounds.TryClaim())
                    {
                        return true;
                    }

                    intended = BenchClock.Now;
                }

                // The round trip is written out here, not called: an async method called per
                // request allocates its state machine box whenever it waits (~100 B a request);
                // this loop's one box lives as long as the connection.
                if (_size >= sizeof(long))
                {
                    BinaryPrimitives.WriteInt64LittleEndian(request.Span, _sequence++);
                }

                await _socket.SendAsync(request, SocketFlags.None);
                var received = 0;
                while (received < _size)
                {
                    var n = await _socket.ReceiveAsync(response[received..], SocketFlags.None);
                    if (n == 0)
                    {
                        throw new InvalidDataException($"connection closed by the target after {received} of {_size} echoed bytes");
                    }

                    received += n;
                }

                var now = BenchClock.Now;
                if (!response.Span.SequenceEqual(request.Span))
                {
                    throw new InvalidDataException("the response is not the echo of the request");
                }

                phase.Recorder?.Record(_lane, now - intended);
                phase.OnCompleted();
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidDataException)
        {
            phase.Errors.Add(ex);
            phase.Pacer?.Stop();
            return false;
        }
    }
}
