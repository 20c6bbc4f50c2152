using System.Diagnostics;
using System.Net.Sockets;

namespace Kvm.Qmp.Tests.Support;

/// <summary>A real QEMU with -machine none and one QMP monitor, for side-by-side tests and the benchmark's reference.</summary>
internal sealed class QemuProcess : IDisposable
{
    public const string Binary = "/usr/bin/qemu-system-x86_64";

    private readonly Process _process;
    private readonly string _directory;

    private QemuProcess(Process process, string directory)
    {
        _process = process;
        _directory = directory;
    }

    public string SocketPath => Path.Combine(_directory, "qemu.sock");

    public UnixDomainSocketEndPoint EndPoint => new(SocketPath);

    public static async Task<QemuProcess> StartAsync()
    {
        if (!File.Exists(Binary))
        {
            Assert.Ignore("qemu-system-x86_64 not installed (Debian package qemu-system-x86)");
        }

        string directory = Path.Combine(Path.GetTempPath(), "qemu-qmp-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
        };
        foreach (string arg in new[] { "-machine", "none", "-nodefaults", "-display", "none", "-qmp", $"unix:{Path.Combine(directory, "qemu.sock")},server=on,wait=off" })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        var qemu = new QemuProcess(process, directory);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!File.Exists(qemu.SocketPath))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                qemu.Dispose();
                Assert.Fail("QEMU did not create its QMP socket: " + await process.StandardError.ReadToEndAsync());
            }

            await Task.Delay(20);
        }

        return qemu;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
