using Kvm.Vmm.Devices;

namespace Kvm.Vmm.Tests;

/// <summary>Serial output in memory with as much room as the test says; the test plays the writer thread.</summary>
internal sealed class FakeSerialOutput(int free) : ISerialOutput
{
    private readonly List<byte> _written = [];

    public event Action? SpaceAvailable;

    /// <summary>Room left; each byte taken uses one.</summary>
    public int Free { get; set; } = free;

    public IReadOnlyList<byte> Written => _written;

    public bool HasSpace(int count) => Free >= count;

    public bool TryWrite(byte value)
    {
        if (Free <= 0)
        {
            return false;
        }

        Free--;
        _written.Add(value);
        return true;
    }

    /// <summary>The host side took <paramref name="bytes"/> bytes.</summary>
    public void Drain(int bytes)
    {
        Free += bytes;
        SpaceAvailable?.Invoke();
    }
}
