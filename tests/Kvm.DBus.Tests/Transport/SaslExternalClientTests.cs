using System.Net.Sockets;
using System.Text;

namespace Kvm.DBus.Tests.Transport;

/// <summary>Authentication against a scripted server on a real Unix socket.</summary>
[TestFixture]
[CancelAfter(20000)]
public sealed class SaslExternalClientTests
{
    [Test]
    public async Task ConnectAsync_ServerRejects_ClearError()
    {
        (string address, Task<string> server) = StartScriptedServer("REJECTED EXTERNAL\r\n");
        var e = await Assert.ThrowsAsync<DBusConnectionException>(() => DBusConnection.ConnectAsync(address));
        Assert.That(e!.InnerException?.Message, Is.EqualTo("Authentication refused: REJECTED EXTERNAL"));
        string uidHex = Convert.ToHexStringLower(Encoding.ASCII.GetBytes(Kvm.DBus.Interop.LibC.geteuid().ToString()));
        Assert.That(await server, Is.EqualTo($"\0AUTH EXTERNAL {uidHex}\r\n"));
    }

    [Test]
    public async Task ConnectAsync_ServerClosesDuringAuth_ClearError()
    {
        (string address, Task<string> server) = StartScriptedServer(null);
        var e = await Assert.ThrowsAsync<DBusConnectionException>(() => DBusConnection.ConnectAsync(address));
        Assert.That(e!.InnerException?.Message, Is.EqualTo("Connection closed during authentication"));
        await server;
    }

    [Test]
    [NonParallelizable]
    public async Task ConnectAsync_ServerSilent_TimesOut()
    {
        string path = Path.Combine(Path.GetTempPath(), $"kvm-dbus-silent-{Guid.NewGuid():N}");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        TimeSpan saved = Kvm.DBus.Transport.UnixSocketConnector.AuthenticationTimeout;
        Kvm.DBus.Transport.UnixSocketConnector.AuthenticationTimeout = TimeSpan.FromMilliseconds(300);
        try
        {
            var e = await Assert.ThrowsAsync<DBusConnectionException>(() => DBusConnection.ConnectAsync("unix:path=" + path));
            Assert.That(e!.InnerException?.Message, Is.EqualTo("No answer during authentication"));
        }
        finally
        {
            Kvm.DBus.Transport.UnixSocketConnector.AuthenticationTimeout = saved;
            File.Delete(path);
        }
    }

    private static (string Address, Task<string> Received) StartScriptedServer(string? answer)
    {
        string path = Path.Combine(Path.GetTempPath(), $"kvm-dbus-sasl-{Guid.NewGuid():N}");
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        Task<string> received = Task.Run(async () =>
        {
            using (listener)
            using (Socket peer = await listener.AcceptAsync())
            {
                byte[] buffer = new byte[256];
                int n = 0;
                while (n == 0 || buffer[n - 1] != (byte)'\n')
                {
                    n += await peer.ReceiveAsync(buffer.AsMemory(n));
                }
                if (answer is not null)
                {
                    await peer.SendAsync(Encoding.ASCII.GetBytes(answer));
                }
                peer.Shutdown(SocketShutdown.Both);
                File.Delete(path);
                return Encoding.ASCII.GetString(buffer, 0, n);
            }
        });
        return ("unix:path=" + path, received);
    }
}
