using System.Diagnostics;

namespace Kvm.Qmp.Bench;

/// <summary>A server under test in its own process: QEMU, or this program in <c>--serve</c> mode (our monitor).</summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;

    private ServerProcess(string name, string socketPath, Process process)
    {
        Name = name;
        SocketPath = socketPath;
        _process = process;
    }

    public string Name { get; }

    public string SocketPath { get; }

    public static ServerProcess StartOurs(string socketPath, string? vmmBinary)
    {
        var start = new ProcessStartInfo(vmmBinary ?? Environment.ProcessPath!) { RedirectStandardInput = true, RedirectStandardError = vmmBinary is not null };
        string[] args = vmmBinary is null ? ["--serve", socketPath] : ["--machine", "none", "--qmp", $"unix:{socketPath},server"];
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        if (vmmBinary is not null)
        {
            process.BeginErrorReadLine(); // kvm-vmm logs to stderr; drained and dropped
        }

        return new ServerProcess("kvm-qmp", socketPath, process);
    }

    public static ServerProcess StartQemu(string binary, string socketPath)
    {
        var start = new ProcessStartInfo(binary) { RedirectStandardInput = true, RedirectStandardOutput = true };
        foreach (string arg in new[] { "-machine", "none", "-nodefaults", "-display", "none", "-qmp", $"unix:{socketPath},server=on,wait=off" })
        {
            start.ArgumentList.Add(arg);
        }

        return new ServerProcess("qemu-7.2", socketPath, Process.Start(start)!);
    }

    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }

        _process.Dispose();
        File.Delete(SocketPath);
    }
}
