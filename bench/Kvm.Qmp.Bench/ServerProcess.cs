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

    public static ServerProcess StartOurs(string socketPath)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardInput = true };
        start.ArgumentList.Add("--serve");
        start.ArgumentList.Add(socketPath);
        return new ServerProcess("kvm-qmp", socketPath, Process.Start(start)!);
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
