using System.Net.Sockets;
using Kvm.DBus.Protocol;
using Kvm.DBus.Transport;

namespace Kvm.DBus.Tests.Transport;

/// <summary>A peer that sends garbage or stops mid-message: the connection ends cleanly, saying why.</summary>
[TestFixture]
[CancelAfter(20000)]
public sealed class UnixSocketMessageStreamTests
{
    [TestCase("6c010001000000000000000000000000", "Serial is zero")]
    [TestCase("42010001000001000000000100000000", null)]
    [TestCase("78010001000000000100000000000000", "Unknown byte order mark")]
    [TestCase("6c010001000000080100000000000000", "Message longer than 128 MiB")]
    public async Task Garbage_FromPeer_ConnectionLostWithReadError(string hex, string? what)
    {
        (Socket ours, Socket theirs) = await ConnectedPairAsync();
        var connection = new DBusConnection(new UnixSocketMessageStream(ours, supportsUnixFds: true));
        theirs.Send(Convert.FromHexString(hex));
        if (what is null)
        {
            // A frame announcing a 256-byte body, then the peer closing.
            theirs.Shutdown(SocketShutdown.Both);
        }
        var e = await Assert.ThrowsAsync<DBusConnectionException>(() => connection.Completion.WaitAsync(TimeSpan.FromSeconds(10)));
        if (what is null)
        {
            Assert.That(e!.InnerException, Is.TypeOf<DBusConnectionException>().With.Message.EqualTo("Connection closed in the middle of a message"));
        }
        else
        {
            Assert.That(e!.InnerException, Is.TypeOf<DBusReadException>().With.Property(nameof(DBusReadException.What)).EqualTo(what));
        }
        await connection.DisposeAsync();
        theirs.Dispose();
    }

    [Test]
    public async Task MessageSplitAcrossWrites_Reassembled()
    {
        (Socket ours, Socket theirs) = await ConnectedPairAsync();
        await using var connection = new DBusConnection(new UnixSocketMessageStream(ours, supportsUnixFds: true));
        var received = new TaskCompletionSource<string>();
        using IDisposable handler = connection.AddSignalHandler(new MatchRule { Member = "Split" }, m => received.TrySetResult(m.GetBodyReader().ReadString()));
        var writer = new MessageWriter(bigEndian: true);
        writer.WriteSignalHeader(null, "/s", "org.kvm.S", "Split", "s");
        writer.WriteString(new string('z', 100_000));
        using MessageBuffer buffer = writer.CreateMessage();
        buffer.SetSerial(9);
        byte[] bytes = buffer.Data.ToArray();
        for (int i = 0; i < bytes.Length; i += 7001)
        {
            theirs.Send(bytes.AsSpan(i, Math.Min(7001, bytes.Length - i)));
            await Task.Delay(1);
        }
        Assert.That(await received.Task.WaitAsync(TimeSpan.FromSeconds(10)), Has.Length.EqualTo(100_000));
        theirs.Dispose();
    }

    private static async Task<(Socket Ours, Socket Theirs)> ConnectedPairAsync()
    {
        string path = Path.Combine(Path.GetTempPath(), $"kvm-dbus-pair-{Guid.NewGuid():N}");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var ours = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        Task<Socket> accept = listener.AcceptAsync();
        ours.Connect(new UnixDomainSocketEndPoint(path));
        Socket theirs = await accept;
        File.Delete(path);
        return (ours, theirs);
    }
}
