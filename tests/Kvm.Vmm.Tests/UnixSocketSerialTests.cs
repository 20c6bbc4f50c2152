using System.Net.Sockets;
using System.Text;
using Kvm.Vmm.Devices;
using Kvm.Vmm.Launch;
using Kvm.Vmm.Monitor;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// COM1 on a Unix socket with real sockets, as libvirt's &lt;serial type='unix'&gt; runs QEMU (server=on,wait=off):
/// the guest's output reaches the client, the client's bytes reach the guest's receive FIFO, nothing waits for a
/// client that is not there.
/// </summary>
public sealed class UnixSocketSerialTests
{
    private const ushort Thr = 0, Rbr = 0, Lsr = 5;
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    private string _directory = null!;
    private string _path = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("kvm-serial-").FullName;
        _path = Path.Combine(_directory, "console.sock");
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Write_NoClientConnected_DiscardsWithoutBlocking()
    {
        using var serial = UnixSocketSerial.Listen(_path);
        byte[] chunk = new byte[64 << 10];

        int[] taken = [.. Enumerable.Range(0, 64).Select(_ => serial.Write(chunk))];

        Assert.That(taken, Has.All.EqualTo(chunk.Length));
    }

    [Test]
    public void Listen_ClientConnected_ReceivesWhatTheUartTransmits()
    {
        using var serial = UnixSocketSerial.Listen(_path);
        using var output = new SerialOutputBuffer(serial);
        using var irq = new FakeInterruptLine();
        using var uart = new Serial8250(output, irq);
        using var input = ConsoleInput.Start(new UnixSocketSerialInput(serial), uart.Enqueue);
        using var client = ConnectClient();
        WaitUntil(() => serial.Connected, "the client was not accepted");

        byte[] message = Encoding.ASCII.GetBytes("Debian GNU/Linux ttyS0\r\nlogin: ");
        foreach (byte b in message)
        {
            WaitUntil(() => (Read(uart, Lsr) & 0x20) != 0, "the transmitter stayed busy");
            uart.Write(Thr, [b]);
        }

        Assert.That(ReadExactly(client, message.Length), Is.EqualTo(message));
    }

    [TestCase(false, TestName = "Receive_ClientSendsMoreThanTheFifo_AllReachTheUartInOrder(polling)")]
    [TestCase(true, TestName = "Receive_ClientSendsMoreThanTheFifo_AllReachTheUartInOrder(room signal)")]
    public void Receive_ClientSendsMoreThanTheFifo_AllReachTheUartInOrder(bool roomSignal)
    {
        using var serial = UnixSocketSerial.Listen(_path);
        using var output = new SerialOutputBuffer(serial);
        using var irq = new FakeInterruptLine();
        using var uart = new Serial8250(output, irq);
        using var room = new AutoResetEvent(false);
        uart.ReceiveRoomFreed += () => room.Set();
        using var input = ConsoleInput.Start(new UnixSocketSerialInput(serial), uart.Enqueue, roomSignal ? room : null);
        using var client = ConnectClient();
        byte[] typed = new byte[1000];
        new Random(7).NextBytes(typed);

        client.Send(typed);

        // The guest reads slower than the client sends: the 64-byte FIFO is full most of the time.
        var received = new List<byte>();
        var deadline = DateTime.UtcNow + s_wait;
        while (received.Count < typed.Length && DateTime.UtcNow < deadline)
        {
            if ((Read(uart, Lsr) & 0x01) != 0)
            {
                received.Add(Read(uart, Rbr));
            }
            else
            {
                Thread.Sleep(1);
            }
        }

        Assert.That(received, Is.EqualTo(typed));
    }

    [Test]
    public void Write_ClientConnectedButNotReading_HoldsBackUntilItReads()
    {
        using var serial = UnixSocketSerial.Listen(_path);
        using var input = ConsoleInput.Start(new UnixSocketSerialInput(serial), bytes => bytes.Length);
        using var client = ConnectClient();
        WaitUntil(() => serial.Connected, "the client was not accepted");
        byte[] chunk = new byte[16 << 10];

        long accepted = 0;
        int taken;
        while ((taken = serial.Write(chunk)) > 0)
        {
            accepted += taken;
            Assert.That(accepted, Is.LessThan(64L << 20), "the socket never filled up");
        }

        Assert.That(ReadExactly(client, (int)Math.Min(accepted, 64 << 10)), Has.Length.EqualTo((int)Math.Min(accepted, 64 << 10)));
        WaitUntil(() => serial.Write(chunk) > 0, "room never came back after the client read");
    }

    [Test]
    public void Listen_StaleSocketFile_IsReplaced()
    {
        // Bound but not listening: connecting is refused, as with the file a killed kvm-vmm leaves behind. (A runtime
        // Socket removes the file it bound when disposed, so it stays open for the test.)
        using var old = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        old.Bind(new UnixDomainSocketEndPoint(_path));

        using var serial = UnixSocketSerial.Listen(_path);
        using var client = ConnectClient();

        Assert.That(client.Connected, Is.True);
    }

    [Test]
    public void Listen_AnotherProcessListens_IsRefused()
    {
        using var other = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        other.Bind(new UnixDomainSocketEndPoint(_path));
        other.Listen(1);

        Assert.That(() => UnixSocketSerial.Listen(_path),
            Throws.InstanceOf<LaunchException>().With.Message.Contains(_path).And.Message.Contains("another process is listening"));
    }

    [Test]
    public void Listen_DirectoryMissing_LaunchExceptionNamesThePathAndTheReason()
    {
        string path = Path.Combine(_directory, "missing", "console.sock");

        Assert.That(() => UnixSocketSerial.Listen(path),
            Throws.InstanceOf<LaunchException>().With.Message.EqualTo($"cannot listen on {path} for the serial console: No such file or directory"));
    }

    [Test]
    public void Listen_PathTooLong_LaunchExceptionNamesThePath()
    {
        string path = Path.Combine(_directory, new string('s', 120));

        Assert.That(() => UnixSocketSerial.Listen(path), Throws.InstanceOf<LaunchException>().With.Message.Contains(path));
    }

    [Test]
    public void Listen_RegularFileAtThePath_IsRefusedAndKept()
    {
        File.WriteAllText(_path, "not a socket");

        Assert.That(() => UnixSocketSerial.Listen(_path),
            Throws.InstanceOf<LaunchException>().With.Message.Contains(_path).And.Message.Contains("not a socket"));
        Assert.That(File.ReadAllText(_path), Is.EqualTo("not a socket"));
    }

    [Test]
    public void Dispose_Listening_RemovesTheSocketFile()
    {
        var serial = UnixSocketSerial.Listen(_path);
        Assert.That(File.Exists(_path), Is.True);

        serial.Dispose();

        Assert.That(File.Exists(_path), Is.False);
    }

    [Test]
    public void QemuFilename_ClientComesAndGoes_SaysWhetherItIsConnected()
    {
        using var serial = UnixSocketSerial.Listen(_path);
        using var input = ConsoleInput.Start(new UnixSocketSerialInput(serial), bytes => bytes.Length);
        Assert.That(serial.QemuFilename, Is.EqualTo($"disconnected:unix:{_path},server=on"));

        var client = ConnectClient();
        WaitUntil(() => serial.Connected, "the client was not accepted");
        Assert.That(serial.QemuFilename, Is.EqualTo($"unix:{_path},server=on"));

        client.Dispose();
        WaitUntil(() => !serial.Connected, "the client's leaving was not noticed");
        Assert.That(serial.QemuFilename, Is.EqualTo($"disconnected:unix:{_path},server=on"));
    }

    [Test]
    public void Listen_SecondClient_WaitsUntilTheFirstLeaves()
    {
        using var serial = UnixSocketSerial.Listen(_path);
        using var input = ConsoleInput.Start(new UnixSocketSerialInput(serial), bytes => bytes.Length);
        var first = ConnectClient();
        WaitUntil(() => serial.Connected, "the first client was not accepted");
        using var second = ConnectClient();

        Assert.That(serial.Write("one"u8), Is.EqualTo(3));
        Assert.That(ReadExactly(first, 3), Is.EqualTo("one"u8.ToArray()));
        Assert.That(second.Poll(TimeSpan.FromMilliseconds(300), SelectMode.SelectRead), Is.False, "the second client got output meant for the first");

        first.Dispose();
        var deadline = DateTime.UtcNow + s_wait;
        do
        {
            serial.Write("two"u8);
        }
        while (!second.Poll(TimeSpan.FromMilliseconds(100), SelectMode.SelectRead) && DateTime.UtcNow < deadline);

        Assert.That(ReadExactly(second, 3), Is.EqualTo("two"u8.ToArray()));
    }

    [Test]
    public void Connect_ServerListening_BytesGoBothWays()
    {
        using var server = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        server.Bind(new UnixDomainSocketEndPoint(_path));
        server.Listen(1);
        using var serial = UnixSocketSerial.Connect(_path);
        using var peer = server.Accept();

        Assert.That(serial.QemuFilename, Is.EqualTo($"unix:{_path}"));
        Assert.That(serial.Write("out"u8), Is.EqualTo(3));
        Assert.That(ReadExactly(peer, 3), Is.EqualTo("out"u8.ToArray()));
        peer.Send("in"u8);
        var buffer = new byte[16];
        int read = serial.Receive(buffer);
        Assert.That(buffer[..read], Is.EqualTo("in"u8.ToArray()));

        peer.Dispose();
        Assert.That(serial.Receive(buffer), Is.Zero, "the input ends when the server goes away");
        Assert.That(serial.Write("dropped"u8), Is.EqualTo(7));
    }

    [Test]
    public void Connect_NoServer_LaunchExceptionNamesThePath()
    {
        Assert.That(() => UnixSocketSerial.Connect(_path),
            Throws.InstanceOf<LaunchException>().With.Message.StartsWith($"cannot connect to {_path} for the serial console: "));
    }

    private Socket ConnectClient()
    {
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(_path));
        return client;
    }

    private static byte[] ReadExactly(Socket socket, int count)
    {
        socket.ReceiveTimeout = (int)s_wait.TotalMilliseconds;
        var buffer = new byte[count];
        int offset = 0;
        while (offset < count)
        {
            int read = socket.Receive(buffer.AsSpan(offset));
            if (read == 0)
            {
                break;
            }

            offset += read;
        }

        return buffer[..offset];
    }

    private static void WaitUntil(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow + s_wait;
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), failure);
            Thread.Sleep(10);
        }
    }

    private static byte Read(Serial8250 uart, ushort offset)
    {
        Span<byte> data = stackalloc byte[1];
        uart.Read(offset, data);
        return data[0];
    }
}
