using System.IO.Pipes;

namespace Kvm.Vmm.Tests;

/// <summary>
/// A real pipe whose reader is slow: it starts only when told and then reads in small chunks with pauses, so the
/// pipe (64 KiB) and whatever buffers in front of it fill up.
/// </summary>
internal sealed class SlowPipe : IDisposable
{
    private const int ChunkSize = 300;
    private readonly AnonymousPipeServerStream _writer = new(PipeDirection.Out);
    private readonly AnonymousPipeClientStream _reader;
    private readonly ManualResetEventSlim _start = new();

    public SlowPipe() => _reader = new AnonymousPipeClientStream(PipeDirection.In, _writer.ClientSafePipeHandle);

    /// <summary>The end to write to (blocking while the pipe is full).</summary>
    public Stream Writer => _writer;

    /// <summary>Reads <paramref name="total"/> bytes on a thread of its own once <see cref="StartReading"/> is called.</summary>
    public Task<byte[]> ReadAsync(int total) => Task.Factory.StartNew(() =>
    {
        _start.Wait();
        var received = new byte[total];
        int offset = 0, reads = 0;
        while (offset < total)
        {
            int read = _reader.Read(received, offset, Math.Min(ChunkSize, total - offset));
            if (read == 0)
            {
                break;
            }

            offset += read;
            if (++reads % 8 == 0)
            {
                Thread.Sleep(1);
            }
        }

        return received[..offset];
    }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public void StartReading() => _start.Set();

    public void Dispose()
    {
        _start.Set();
        _writer.Dispose();
        _reader.Dispose();
        _start.Dispose();
    }
}
