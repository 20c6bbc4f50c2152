using Kvm.Vmm.Devices;

namespace Kvm.Vmm.Tests;

/// <summary>
/// A sink in memory whose reader can be held: while held it takes nothing (a connected reader with no room), as a
/// real sink it waits a little before saying so.
/// </summary>
internal sealed class HeldSink : ISerialSink, IDisposable
{
    private readonly ManualResetEventSlim _open;
    private readonly List<byte> _received = [];
    private readonly Lock _lock = new();

    public HeldSink(bool held) => _open = new ManualResetEventSlim(!held);

    public byte[] Received
    {
        get
        {
            lock (_lock)
            {
                return [.. _received];
            }
        }
    }

    public void Release() => _open.Set();

    public void Hold() => _open.Reset();

    public int Write(ReadOnlySpan<byte> data)
    {
        if (!_open.Wait(TimeSpan.FromMilliseconds(10)))
        {
            return 0;
        }

        lock (_lock)
        {
            _received.AddRange(data);
        }

        return data.Length;
    }

    public void Dispose() => _open.Dispose();
}
