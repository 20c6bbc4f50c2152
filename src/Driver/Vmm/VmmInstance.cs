using System.Net.Sockets;
using System.Text.Json.Nodes;
using Kvm.Qmp;
using Kvm.Qmp.Client;
using Kvm.Qmp.Commands;
using NLog;

namespace Kvm.Driver.Vmm;

/// <summary>A kvm-vmm process and kvmd's QMP connection to it: the only channel kvmd has to a VM.</summary>
public sealed class VmmInstance : IAsyncDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private VmmInstance(VmmProcess process, QmpClient qmp, string qmpSocket, string? consolePath)
    {
        Process = process;
        Qmp = qmp;
        QmpSocket = qmpSocket;
        ConsolePath = consolePath;
    }

    public VmmProcess Process { get; }

    public QmpClient Qmp { get; }

    public string QmpSocket { get; }

    /// <summary>The serial console's pty when kvm-vmm made one (query-chardev).</summary>
    public string? ConsolePath { get; }

    /// <summary>Starts kvm-vmm paused and connects to its monitor; a VMM that exits first fails with its own message.</summary>
    public static async Task<VmmInstance> LaunchAsync(VmmLaunchRequest request, QmpClientOptions options, CancellationToken cancellationToken)
    {
        File.Delete(request.QmpSocketPath);
        long logStart = VmmLog.LengthOf(request.LogPath);
        var process = VmmProcess.Start(request);
        using var cancelConnect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<QmpClient> connect = QmpClient.ConnectAsync(new UnixDomainSocketEndPoint(request.QmpSocketPath), options, cancelConnect.Token);
        try
        {
            Task first = await Task.WhenAny(connect, process.Exited).ConfigureAwait(false);
            if (first != connect)
            {
                await cancelConnect.CancelAsync().ConfigureAwait(false);
                throw new VmmLaunchException(ExitMessage(process, request.LogPath, logStart));
            }

            QmpClient qmp = await connect.ConfigureAwait(false);
            try
            {
                File.SetUnixFileMode(request.QmpSocketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                string? pty = ConsolePtyOf(await QueryChardevsAsync(qmp, cancellationToken).ConfigureAwait(false));
                return new VmmInstance(process, qmp, request.QmpSocketPath, pty);
            }
            catch
            {
                await qmp.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch (Exception e) when (e is not VmmLaunchException)
        {
            // Whatever failed (no socket in time, a greeting or qmp_capabilities that went wrong, a cancelled start),
            // the process must not outlive the attempt.
            await StopFailedAsync(process).ConfigureAwait(false);
            _ = connect.ContinueWith(static t => t.Exception, TaskScheduler.Default);
            cancellationToken.ThrowIfCancellationRequested();
            string log = VmmLog.ErrorOf(VmmLog.ReadFrom(request.LogPath, logStart));
            throw new VmmLaunchException(log.Length > 0 ? $"{e.Message}: {log}" : e.Message, e);
        }
        catch (VmmLaunchException)
        {
            await StopFailedAsync(process).ConfigureAwait(false);
            _ = connect.ContinueWith(static t => t.Exception, TaskScheduler.Default);
            throw;
        }
    }

    /// <summary>Reconnects to the monitor of an adopted process; null (process killed) when it does not answer.</summary>
    public static async Task<VmmInstance?> AttachAsync(VmmProcess process, string qmpSocket, string? consolePath, QmpClientOptions options, CancellationToken cancellationToken)
    {
        try
        {
            QmpClient qmp = await QmpClient.ConnectAsync(new UnixDomainSocketEndPoint(qmpSocket), options, cancellationToken).ConfigureAwait(false);
            return new VmmInstance(process, qmp, qmpSocket, consolePath);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Refused, timed out (a hung VMM) or garbled: a VM kvmd cannot control is not kept.
            s_log.Error("kvm-vmm {Pid} does not answer on {Socket} ({Error}); killing it", process.Pid, qmpSocket, e.Message);
            await StopFailedAsync(process).ConfigureAwait(false);
            process.Dispose();
            return null;
        }
    }

    /// <summary>
    /// The pty of the domain's serial console from query-chardev, as libvirt reads it (qemuProcessLookupPTYs): the
    /// serial's chardev (libvirt's alias <c>charserial0</c>), else the first pty; null when there is none.
    /// </summary>
    public static string? ConsolePtyOf(IReadOnlyList<QmpChardevInfo> chardevs)
    {
        const string PtyPrefix = "pty:";
        QmpChardevInfo? serial = chardevs.FirstOrDefault(c => c.Label == "charserial0" && c.Filename.StartsWith(PtyPrefix, StringComparison.Ordinal))
            ?? chardevs.FirstOrDefault(c => c.Filename.StartsWith(PtyPrefix, StringComparison.Ordinal));
        return serial?.Filename[PtyPrefix.Length..];
    }

    public Task<JsonNode?> ExecuteAsync(string command, JsonObject? arguments, CancellationToken cancellationToken) =>
        Qmp.ExecuteAsync(command, arguments, cancellationToken);

    /// <summary>Closes the monitor connection and stops watching; the VM keeps running.</summary>
    public async ValueTask DisposeAsync()
    {
        await Qmp.DisposeAsync().ConfigureAwait(false);
        Process.Dispose();
    }

    /// <summary>query-chardev; a VMM without it has no console kvmd could tell.</summary>
    private static async Task<IReadOnlyList<QmpChardevInfo>> QueryChardevsAsync(QmpClient qmp, CancellationToken cancellationToken)
    {
        try
        {
            return await qmp.QueryChardevAsync(cancellationToken).ConfigureAwait(false) ?? [];
        }
        catch (QmpException e) when (e.ErrorClass == QmpErrorClass.CommandNotFound)
        {
            return [];
        }
    }

    private static string ExitMessage(VmmProcess process, string logPath, long logStart)
    {
        string error = VmmLog.ErrorOf(VmmLog.ReadFrom(logPath, logStart));
        return error.Length > 0 ? error : $"kvm-vmm exited with status {process.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}";
    }

    private static async Task StopFailedAsync(VmmProcess process)
    {
        try
        {
            await process.TerminateAsync(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            s_log.Error("kvm-vmm {Pid} did not exit after SIGKILL", process.Pid);
        }
    }
}
