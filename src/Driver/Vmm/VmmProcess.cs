using System.Diagnostics;
using System.Runtime.InteropServices;
using Kvm.Driver.Interop;
using Kvm.Driver.Runtime;
using Kvm.Qmp.Server;
using NLog;

namespace Kvm.Driver.Vmm;

/// <summary>
/// One kvm-vmm process: started by this kvmd (a child in its own session, so it outlives kvmd) or adopted from the
/// runtime directory after a kvmd restart. <see cref="Exited"/> completes when the process is gone.
/// </summary>
public sealed class VmmProcess : IDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(200);

    // sh puts the VMM in its own session with setsid(1) (which does not fork: a child of .NET is no group leader),
    // its output in the log, and makes its files private; exec keeps the pid.
    private const string Wrapper = "umask 077; exec /usr/bin/setsid \"$0\" \"$@\" </dev/null >>\"$KVMD_VMM_LOG\" 2>&1";

    private readonly Process? _child;
    private readonly CancellationTokenSource _stopPolling = new();

    private VmmProcess(int pid, ulong startTime, Process? child)
    {
        Pid = pid;
        StartTime = startTime;
        _child = child;
        Exited = child is not null ? child.WaitForExitAsync() : PollExitAsync(pid, startTime, _stopPolling.Token);
    }

    public int Pid { get; }

    /// <summary>Field 22 of /proc/&lt;pid&gt;/stat when the process was started or adopted.</summary>
    public ulong StartTime { get; }

    public Task Exited { get; }

    /// <summary>Starts kvm-vmm paused (<c>--paused</c>); the caller continues it over QMP once connected.</summary>
    public static VmmProcess Start(VmmLaunchRequest request)
    {
        if (!File.Exists(request.VmmPath))
        {
            throw new VmmLaunchException($"Cannot find kvm-vmm binary {request.VmmPath}");
        }

        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (string argument in new[]
        {
            "-c", Wrapper, request.VmmPath, "--domain-xml", request.DomainXmlPath,
            "--qmp", QmpAddress.UnixServer(request.QmpSocketPath), "--paused",
        })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["KVMD_VMM_LOG"] = request.LogPath;
        Process child;
        try
        {
            child = Process.Start(info) ?? throw new VmmLaunchException("Cannot start kvm-vmm");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new VmmLaunchException($"Cannot start kvm-vmm: {e.Message}", e);
        }

        ulong startTime = ProcStat.TryRead(child.Id, out ProcStat stat) ? stat.StartTime : 0;
        s_log.Debug("Started kvm-vmm {Pid} for {Xml}", child.Id, request.DomainXmlPath);
        return new VmmProcess(child.Id, startTime, child);
    }

    /// <summary>Adopts a process from a runtime status, when it is still the same live process; null otherwise.</summary>
    public static VmmProcess? Adopt(int pid, ulong startTime) =>
        ProcStat.IsSameLiveProcess(pid, startTime) ? new VmmProcess(pid, startTime, child: null) : null;

    /// <summary>Sends a signal unless the process is already gone (or is no longer ours: pid reuse).</summary>
    public void Signal(int signal)
    {
        if (Exited.IsCompleted || (_child is null && !ProcStat.IsSameLiveProcess(Pid, StartTime)))
        {
            return;
        }

        if (LibC.Kill(Pid, signal) != 0 && Marshal.GetLastPInvokeError() != LibC.ESrch)
        {
            s_log.Warn("Cannot send signal {Signal} to kvm-vmm {Pid}: errno {Errno}", signal, Pid, Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>libvirt's destroy: SIGTERM, and SIGKILL when the process is still there after <paramref name="grace"/>.</summary>
    public async Task TerminateAsync(TimeSpan grace, TimeSpan killWait)
    {
        Signal(LibC.SigTerm);
        try
        {
            await Exited.WaitAsync(grace).ConfigureAwait(false);
            return;
        }
        catch (TimeoutException)
        {
            s_log.Warn("kvm-vmm {Pid} still running {Grace} after SIGTERM; sending SIGKILL", Pid, grace);
        }

        Signal(LibC.SigKill);
        await Exited.WaitAsync(killWait).ConfigureAwait(false);
    }

    /// <summary>The process's CPU time so far (0 once it is gone).</summary>
    public ulong CpuTimeNs => ProcStat.TryRead(Pid, out ProcStat stat) ? stat.CpuTimeNs : 0;

    public int? ExitCode => _child is { HasExited: true } child ? child.ExitCode : null;

    /// <summary>Stops watching the process (kvmd going away); the process itself is left running.</summary>
    public void Dispose()
    {
        _stopPolling.Cancel();
        _child?.Dispose();
        _stopPolling.Dispose();
    }

    private static async Task PollExitAsync(int pid, ulong startTime, CancellationToken cancellationToken)
    {
        while (ProcStat.IsSameLiveProcess(pid, startTime))
        {
            await Task.Delay(s_pollInterval, cancellationToken).ConfigureAwait(false);
        }
    }
}
