namespace Kvm.Vmm.Launch;

/// <summary>
/// What the clients of a <see cref="UnixSocketSerial"/> send, as the read-only stream ConsoleInput pumps into the
/// guest: a read waits for a client and its bytes, and the stream ends only when the endpoint does.
/// </summary>
internal sealed class UnixSocketSerialInput(UnixSocketSerial socket) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer) => socket.Receive(buffer);

    public override int Read(byte[] buffer, int offset, int count) => socket.Receive(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
