using Kvm.Vmm.Interop;
using Microsoft.Win32.SafeHandles;

namespace Kvm.Vmm.Launch;

/// <summary>
/// Where COM1 goes on the host: stdio, a file, a new pseudo-terminal (as QEMU's -serial pty) or nowhere. Output never
/// blocks the guest: a pty nobody reads drops what does not fit.
/// </summary>
internal sealed class SerialEndpoint : IDisposable
{
    private SerialEndpoint(Stream output, Stream? input, string description)
    {
        Output = output;
        Input = input;
        Description = description;
    }

    public Stream Output { get; }

    /// <summary>What the guest reads, when the endpoint has an input side.</summary>
    public Stream? Input { get; }

    public string Description { get; }

    /// <summary>What QEMU's query-chardev reports as the filename: "pty:/dev/pts/N", "stdio", "file" or "null".</summary>
    public string QemuFilename => Description.StartsWith("file:", StringComparison.Ordinal) ? "file" : Description;

    public static SerialEndpoint Stdio() => new(Console.OpenStandardOutput(), Console.OpenStandardInput(), "stdio");

    public static SerialEndpoint Null() => new(Stream.Null, null, "null");

    public static SerialEndpoint File(string path)
    {
        try
        {
            return new SerialEndpoint(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), null, "file:" + path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LaunchException($"cannot open the serial log {path}: {e.Message}");
        }
    }

    /// <summary>A new pseudo-terminal; its path is in <see cref="Description"/> ("pty:/dev/pts/N").</summary>
    public static SerialEndpoint Pty()
    {
        int fd = Kvm.Vmm.Interop.Pty.OpenMaster(out string path, out int errno);
        if (fd < 0)
        {
            throw new LaunchException($"cannot create a pseudo-terminal for the serial console: {Libc.ErrorText(errno)}");
        }

        var stream = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.ReadWrite, bufferSize: 0);
        return new SerialEndpoint(stream, stream, "pty:" + path);
    }

    public void Dispose()
    {
        Output.Dispose();
        if (!ReferenceEquals(Input, Output))
        {
            Input?.Dispose();
        }
    }
}
