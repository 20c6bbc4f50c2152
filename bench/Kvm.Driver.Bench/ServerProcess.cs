using System.Diagnostics;
using System.Globalization;

namespace Kvm.Driver.Bench;

/// <summary>
/// A server of the org.libvirt API in its own process on its own private bus: kvmd (Connect at /org/libvirt/QEMU)
/// or Debian's libvirt-dbus serving libvirt's test driver (Connect at /org/libvirt/Test). Its output goes to a log
/// file beside the bus; it is killed by pid when disposed.
/// </summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private ServerProcess(string name, string connectPath, PrivateBus bus, Process process, StreamWriter log)
    {
        Name = name;
        ConnectPath = connectPath;
        Bus = bus;
        _process = process;
        _log = log;
    }

    public string Name { get; }

    /// <summary>The Connect object's path: /org/libvirt/QEMU for kvmd, /org/libvirt/Test for the test driver.</summary>
    public string ConnectPath { get; }

    public PrivateBus Bus { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public static ServerProcess StartKvmd(string kvmd, string directory)
    {
        string state = Path.Combine(directory, "state");
        string runtime = Path.Combine(directory, "run");
        Directory.CreateDirectory(state);
        Directory.CreateDirectory(runtime);
        return Start("kvmd", "/org/libvirt/QEMU", directory, kvmd, ["--session", "--state-dir", state, "--runtime-dir", runtime]);
    }

    public static ServerProcess StartLibvirtDbus(string libvirtDbus, string directory) =>
        Start("libvirt-dbus", "/org/libvirt/Test", directory, libvirtDbus, ["--session"]);

    private static ServerProcess Start(string name, string connectPath, string directory, string binary, string[] args)
    {
        if (!File.Exists(binary))
        {
            throw new FileNotFoundException($"{name}: {binary} not found", binary);
        }
        PrivateBus bus = PrivateBus.Start(Path.Combine(directory, $"bus-{Environment.TickCount64}"));
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            Environment = { ["DBUS_SESSION_BUS_ADDRESS"] = bus.Address },
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        var log = new StreamWriter(Path.Combine(directory, name + ".log")) { AutoFlush = true };
        Process process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start");
        process.OutputDataReceived += (_, e) => WriteLog(log, e.Data);
        process.ErrorDataReceived += (_, e) => WriteLog(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ServerProcess(name, connectPath, bus, process, log);
    }

    private static void WriteLog(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (log)
        {
            log.WriteLine(line);
        }
    }

    /// <summary>VmRSS from /proc/PID/status, in KiB.</summary>
    public long ResidentKiB => ReadStatusKiB("VmRSS:");

    /// <summary>VmHWM (peak resident set) from /proc/PID/status, in KiB.</summary>
    public long PeakResidentKiB => ReadStatusKiB("VmHWM:");

    /// <summary>User + system processor time of the server process (/proc/PID/stat, clock ticks of 10 ms).</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            string stat = File.ReadAllText($"/proc/{Pid}/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / 100.0);
        }
    }

    /// <summary>Number of threads (/proc/PID/status).</summary>
    public long Threads => ReadStatusKiB("Threads:");

    private long ReadStatusKiB(string field)
    {
        foreach (string line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(field.Length).Trim().TrimEnd(" kB"), CultureInfo.InvariantCulture);
            }
        }
        return -1;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
        Bus.Dispose();
    }
}
