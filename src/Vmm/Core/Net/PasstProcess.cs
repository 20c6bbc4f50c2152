using System.Diagnostics;
using System.Globalization;
using Kvm.Vmm.Interop;
using Microsoft.Win32.SafeHandles;
using NLog;

namespace Kvm.Vmm.Net;

/// <summary>
/// One passt child process, connected to kvm-vmm by a socketpair it inherits (<c>--fd</c>), in the foreground (so it
/// stays kvm-vmm's child) with its output in kvm-vmm's log. Lifetime guarantee: kvm-vmm's end of the pair is
/// close-on-exec and held by kvm-vmm alone, and <c>--fd</c> implies passt's <c>--one-off</c>: when kvm-vmm ends in
/// any way (SIGKILL included) the kernel closes that end and passt quits. There is no window before the connection
/// (the pair exists before passt does). An orderly stop also kills it outright.
/// </summary>
internal sealed class PasstProcess : IDisposable
{
    private const int KeptLines = 8;

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();
    private static readonly Lock s_spawnGate = new(); // one descriptor let through exec at a time

    private readonly Process _process;
    private readonly string _nic;
    private readonly Queue<string> _lastLines = new();

    private int _pid;

    private PasstProcess(Process process, string nic)
    {
        _process = process;
        _nic = nic;
    }

    public int Pid => _pid;

    /// <summary>Waits a moment for passt to end (its socket closed: it is ending), then stops it: its exit status.</summary>
    public int Stop()
    {
        if (!_process.WaitForExit(1000))
        {
            _process.Kill();
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Starts passt on a new socketpair and waits until it is ready; kvm-vmm's end in <paramref name="socket"/>.</summary>
    public static PasstProcess Start(PasstOptions options, string nic, out SafeFileHandle socket)
    {
        string program = Resolve(options.Program) ?? throw new NetBackendException(
            $"Cannot find '{options.Program}': user-mode networking (<interface type='user'>) runs passt, from Debian's package 'passt' (apt-get install passt)");
        int result = StreamSocketIo.Pair(out var ours, out int theirs);
        if (result < 0 || ours is null)
        {
            throw new NetBackendException($"Cannot create a socket pair for passt: {Libc.ErrorText(-result)}");
        }

        string directory = Directory.CreateTempSubdirectory("kvm-vmm-passt-").FullName;
        string pidFile = Path.Combine(directory, "passt.pid");
        PasstProcess? passt = null;
        try
        {
            var start = new ProcessStartInfo(program)
            {
                UseShellExecute = false,
                RedirectStandardInput = true, // never the serial console kvm-vmm may have on its own stdio
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (string argument in (string[])["--foreground", "--fd", theirs.ToString(CultureInfo.InvariantCulture), "--pid", pidFile, .. options.Arguments])
            {
                start.ArgumentList.Add(argument);
            }

            // Started as root, passt becomes nobody before it writes its pid: the file is there for it to write.
            File.WriteAllBytes(pidFile, []);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
                File.SetUnixFileMode(pidFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);
            }

            var process = new Process { StartInfo = start };
            var created = new PasstProcess(process, nic);
            passt = created;
            process.OutputDataReceived += (_, e) => created.Output(e.Data);
            process.ErrorDataReceived += (_, e) => created.Output(e.Data);
            lock (s_spawnGate)
            {
                result = StreamSocketIo.KeepOnExec(theirs);
                if (result < 0)
                {
                    throw new NetBackendException($"Cannot pass a socket to passt: {Libc.ErrorText(-result)}");
                }

                process.Start();
            }

            passt._pid = process.Id;

            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            passt.WaitReady(pidFile, options.StartTimeout);
            s_log.Info("{Nic}: passt started (pid {Pid}): {Program} {Arguments}", nic, process.Id, program, string.Join(' ', start.ArgumentList));
            socket = ours;
            return passt;
        }
        catch (Exception e) when (e is not NetBackendException)
        {
            passt?.Dispose();
            ours.Dispose();
            throw new NetBackendException($"Cannot start passt ({program}): {e.Message}", e);
        }
        catch
        {
            passt?.Dispose();
            ours.Dispose();
            throw;
        }
        finally
        {
            Libc.Close(theirs);
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Stops passt if it still runs.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // never started
        }

        _process.Dispose();
    }

    /// <summary>passt's last lines of output, for an error message.</summary>
    public string LastLines()
    {
        lock (_lastLines)
        {
            return string.Join("; ", _lastLines);
        }
    }

    /// <summary>Waits for passt's pid file to be written (its initialisation is done) or for passt to exit.</summary>
    private void WaitReady(string pidFile, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!IsWritten(pidFile))
        {
            if (_process.WaitForExit(20))
            {
                _process.WaitForExit(); // the output read to its end
                throw new NetBackendException($"passt exited with status {_process.ExitCode} at start: {LastLines()}");
            }

            if (clock.Elapsed > timeout)
            {
                throw new NetBackendException($"passt was not ready within {timeout.TotalSeconds:0} s: {LastLines()}");
            }
        }
    }

    private static bool IsWritten(string path)
    {
        try
        {
            return new FileInfo(path) is { Exists: true, Length: > 0 };
        }
        catch (IOException)
        {
            return false;
        }
    }

    private void Output(string? line)
    {
        // Without a system logger passt says so for every line it logs; its own words follow on stderr.
        if (string.IsNullOrWhiteSpace(line) || line.StartsWith("Failed to send ", StringComparison.Ordinal))
        {
            return;
        }

        lock (_lastLines)
        {
            _lastLines.Enqueue(line.Trim());
            if (_lastLines.Count > KeptLines)
            {
                _lastLines.Dequeue();
            }
        }

        s_log.Info("{Nic}: passt: {Line}", _nic, line.Trim());
    }

    /// <summary>The program's path: as given when it names a directory, else the first match on PATH.</summary>
    private static string? Resolve(string program)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(program) ? program : null;
        }

        string path = Environment.GetEnvironmentVariable("PATH") is { Length: > 0 } value ? value : "/usr/local/bin:/usr/bin:/bin";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);
    }
}
