using Kvm.Vmm.Devices;
using Kvm.Vmm.Interop;
using Microsoft.Win32.SafeHandles;

namespace Kvm.Vmm.Launch;

/// <summary>
/// Where COM1 goes on the host: stdio, a file, a new pseudo-terminal (as QEMU's -serial pty), a Unix socket or
/// nowhere. The guest's output passes through a bounded <see cref="SerialOutputBuffer"/> drained by its own thread:
/// the vCPU never waits on the host, a slow reader holds the guest back instead of losing bytes, and an end nobody
/// is connected to (a pty nobody opened, a socket without a client) drops output, as QEMU does.
/// </summary>
internal sealed class SerialEndpoint : IDisposable
{
    private readonly IDisposable[] _resources;
    private readonly UnixSocketSerial? _socket;

    private SerialEndpoint(ISerialSink sink, Stream? input, string description, IDisposable[] resources, UnixSocketSerial? socket = null)
    {
        Output = new SerialOutputBuffer(sink);
        Input = input;
        Description = description;
        _resources = resources;
        _socket = socket;
    }

    /// <summary>What the UART writes into; it outlives machine rebuilds.</summary>
    public SerialOutputBuffer Output { get; }

    /// <summary>What the guest reads, when the endpoint has an input side.</summary>
    public Stream? Input { get; }

    /// <summary>"stdio", "null", "file:PATH", "pty:/dev/pts/N", "unix:PATH,server=on" or "unix:PATH".</summary>
    public string Description { get; }

    /// <summary>
    /// What QEMU's query-chardev reports as the filename: "pty:/dev/pts/N", "stdio", "file", "null", or for a socket
    /// "unix:PATH,server=on" with "disconnected:" in front while no client is connected.
    /// </summary>
    public string QemuFilename =>
        _socket?.QemuFilename ?? (Description.StartsWith("file:", StringComparison.Ordinal) ? "file" : Description);

    public static SerialEndpoint Stdio()
    {
        var output = Console.OpenStandardOutput();
        var input = Console.OpenStandardInput();
        return new SerialEndpoint(new StreamSerialSink(output), input, "stdio", [output, input]);
    }

    public static SerialEndpoint Null() => new(new StreamSerialSink(Stream.Null), null, "null", []);

    public static SerialEndpoint File(string path)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LaunchException($"cannot open the serial log {path}: {e.Message}");
        }

        return new SerialEndpoint(new StreamSerialSink(stream), null, "file:" + path, [stream]);
    }

    /// <summary>A new pseudo-terminal; its path is in <see cref="Description"/> ("pty:/dev/pts/N").</summary>
    public static SerialEndpoint Pty()
    {
        int fd = Kvm.Vmm.Interop.Pty.OpenMaster(out string path, out int errno);
        if (fd < 0)
        {
            throw new LaunchException($"cannot create a pseudo-terminal for the serial console: {Libc.ErrorText(errno)}");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        var stream = new FileStream(handle, FileAccess.ReadWrite, bufferSize: 0);
        return new SerialEndpoint(new PtySerialSink(handle), stream, "pty:" + path, [stream]);
    }

    /// <summary>A Unix socket kvm-vmm listens on (libvirt's mode='bind'), one client at a time.</summary>
    public static SerialEndpoint UnixServer(string path) => Unix(UnixSocketSerial.Listen(path));

    /// <summary>A Unix socket another process listens on (libvirt's mode='connect').</summary>
    public static SerialEndpoint UnixClient(string path) => Unix(UnixSocketSerial.Connect(path));

    /// <summary>Lets the writer pass on what the guest wrote (briefly), then closes the host end.</summary>
    public void Dispose()
    {
        Output.Dispose();
        foreach (var resource in _resources)
        {
            resource.Dispose();
        }
    }

    private static SerialEndpoint Unix(UnixSocketSerial socket)
    {
        string description = $"unix:{socket.Path}{(socket.IsServer ? ",server=on" : string.Empty)}";
        return new SerialEndpoint(socket, new UnixSocketSerialInput(socket), description, [socket], socket);
    }
}
