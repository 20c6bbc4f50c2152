using System.Runtime.InteropServices;
using System.Threading.Channels;
using Kvm.Driver.Domains;
using Kvm.Driver.Interop;
using NLog;

namespace Kvm.Driver.Consoles;

/// <summary>
/// One client's attachment to a console pty. A dedicated reader thread polls the pty (non-blocking, so it can stop
/// within <see cref="PollMs"/>) and hands at most <see cref="Credits"/> chunks to the client at a time: a client that
/// does not take them stops the reading (the pty's own buffer then holds the guest's output), so memory stays bounded.
/// </summary>
public sealed class ConsoleSession : IAsyncDisposable
{
    private const int Chunk = 4096;
    private const int Credits = 2;
    private const int PollMs = 100;
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly ConsoleHub _hub;
    private readonly int _fd;
    private readonly Task _predecessor;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _credits = new(Credits);
    private readonly Channel<byte[]?> _chunks = Channel.CreateUnbounded<byte[]?>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Lock _readGate = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Action<ConsoleEnd>? _ended;
    private int _endReported;
    private int _disposed;

    internal ConsoleSession(ConsoleHub hub, string path, Task predecessor)
    {
        _hub = hub;
        Path = path;
        _predecessor = predecessor;
        _fd = LibC.Open(path, LibC.ORdWr | LibC.ONoCtty | LibC.ONonBlock | LibC.OCloexec);
        if (_fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new DomainOperationException(VirErrorCode.SystemError, $"Unable to open console {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

    /// <summary>The pty's path.</summary>
    public string Path { get; }

    /// <summary>Completes when the reader has stopped (or never started) and will read no more.</summary>
    internal Task Stopped => _stopped.Task;

    /// <summary>
    /// Starts relaying the guest's output to <paramref name="toClient"/> (false from it: the client is gone, stop) once
    /// an evicted predecessor has stopped reading; <paramref name="ended"/> hears of a hangup or an eviction, once.
    /// </summary>
    public void Start(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<bool>> toClient, Action<ConsoleEnd> ended)
    {
        _ended = ended;
        _ = RelayAsync(toClient);
    }

    /// <summary>Writes the client's input to the guest, waiting while the pty is full.</summary>
    /// <exception cref="IOException">The pty refused the write (it hung up).</exception>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int written = TryWrite(data.Span, out int errno);
            if (written > 0)
            {
                data = data[written..];
            }
            else if (errno is LibC.EAgain or LibC.EIntr)
            {
                await Task.Delay(10, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                throw new IOException($"cannot write to console {Path}: {Marshal.GetPInvokeErrorMessage(errno)}");
            }
        }
    }

    /// <summary>Stops reading, closes the pty and gives it up; the guest keeps running.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_ended is null)
        {
            _stopped.TrySetResult(); // never started
        }
        await _stopped.Task.ConfigureAwait(false);
        LibC.Close(_fd);
        _hub.Release(this);
    }

    /// <summary>The hub gave the pty to a forced open: stop, and tell the owner.</summary>
    internal void Evict()
    {
        _stop.Cancel();
        lock (_readGate)
        {
            // a read under way has finished: what it got was written before the takeover; nothing after it is read here
        }
        if (_ended is null)
        {
            _stopped.TrySetResult();
        }
        ReportEnd(ConsoleEnd.Evicted);
    }

    private void ReportEnd(ConsoleEnd end)
    {
        if (Interlocked.Exchange(ref _endReported, 1) == 0)
        {
            _ended?.Invoke(end);
        }
    }

    private async Task RelayAsync(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<bool>> toClient)
    {
        CancellationToken stop = _stop.Token;
        bool reading = false;
        try
        {
            await _predecessor.WaitAsync(stop).ConfigureAwait(false);
            var reader = new Thread(ReadLoop) { IsBackground = true, Name = "console:" + Path };
            reader.Start();
            reading = true;
            await foreach (byte[]? chunk in _chunks.Reader.ReadAllAsync(stop).ConfigureAwait(false))
            {
                if (chunk is null)
                {
                    ReportEnd(ConsoleEnd.Hangup);
                    return;
                }
                if (!await toClient(chunk, stop).ConfigureAwait(false))
                {
                    return;
                }
                _credits.Release();
            }
        }
        catch (OperationCanceledException)
        {
            // disposed or evicted
        }
        finally
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            if (!reading)
            {
                _stopped.TrySetResult(); // the reader never started
            }
        }
    }

    /// <summary>The reader thread: poll, read, hand over; a null chunk says the pty hung up.</summary>
    private void ReadLoop()
    {
        CancellationToken stop = _stop.Token;
        try
        {
            byte[] buffer = new byte[Chunk];
            while (!stop.IsCancellationRequested)
            {
                _credits.Wait(stop);
                int read;
                int errno;
                while (true)
                {
                    lock (_readGate)
                    {
                        if (stop.IsCancellationRequested)
                        {
                            return;
                        }
                        read = TryRead(buffer, out errno);
                    }
                    if (read >= 0 || errno is not (LibC.EAgain or LibC.EIntr))
                    {
                        break;
                    }
                    WaitReadable();
                }
                if (read <= 0)
                {
                    s_log.Debug("Console {Pty} hung up ({Errno})", Path, read < 0 ? errno : 0);
                    _chunks.Writer.TryWrite(null);
                    return;
                }
                _chunks.Writer.TryWrite(buffer.AsSpan(0, read).ToArray());
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
        finally
        {
            _chunks.Writer.TryComplete();
            _stopped.TrySetResult();
        }
    }

    private unsafe void WaitReadable()
    {
        var poll = new LibC.PollFd { Fd = _fd, Events = LibC.PollIn };
        // SAFETY: one pollfd on this frame's stack, count 1.
        LibC.Poll(&poll, 1, PollMs);
    }

    private unsafe int TryRead(Span<byte> buffer, out int errno)
    {
        // SAFETY: the span is pinned for the call and read(2) writes at most its length.
        fixed (byte* p = buffer)
        {
            nint n = LibC.Read(_fd, p, (nuint)buffer.Length);
            errno = n < 0 ? Marshal.GetLastPInvokeError() : 0;
            return (int)n;
        }
    }

    private unsafe int TryWrite(ReadOnlySpan<byte> data, out int errno)
    {
        // SAFETY: the span is pinned for the call and write(2) reads at most its length.
        fixed (byte* p = data)
        {
            nint n = LibC.Write(_fd, p, (nuint)data.Length);
            errno = n < 0 ? Marshal.GetLastPInvokeError() : 0;
            return (int)n;
        }
    }
}
