using System.Text;

namespace Kvm.Vmm.Tests;

/// <summary>A guest's serial console, collected as text, with a wait for a line to appear.</summary>
internal sealed class ConsoleCapture : Stream
{
    private readonly StringBuilder _text = new();
    private readonly Lock _lock = new();

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

    public override void Write(byte[] buffer, int offset, int count)
    {
        lock (_lock)
        {
            _text.Append(Encoding.Latin1.GetString(buffer, offset, count));
        }
    }

    public override void WriteByte(byte value)
    {
        lock (_lock)
        {
            _text.Append((char)value);
        }
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
