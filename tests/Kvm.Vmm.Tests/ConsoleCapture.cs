using System.Text;
using Kvm.Vmm.Devices;

namespace Kvm.Vmm.Tests;

/// <summary>A guest's serial console, collected as text (never full), with a wait for a line to appear.</summary>
internal sealed class ConsoleCapture : ISerialOutput
{
    private readonly StringBuilder _text = new();
    private readonly Lock _lock = new();

    // Never raised: there is always room.
    public event Action? SpaceAvailable
    {
        add { }
        remove { }
    }

    public string Text
    {
        get
        {
            lock (_lock)
            {
                return _text.ToString();
            }
        }
    }

    public bool WaitFor(string marker, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Text.Contains(marker, StringComparison.Ordinal))
            {
                return true;
            }

            Thread.Sleep(50);
        }

        return false;
    }

    public bool HasSpace(int count) => true;

    public bool TryWrite(byte value)
    {
        lock (_lock)
        {
            _text.Append((char)value);
        }

        return true;
    }
}
