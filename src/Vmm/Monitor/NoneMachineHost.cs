using Kvm.Qmp.Commands;
using Kvm.Qmp.Server;
using NLog;

namespace Kvm.Vmm.Monitor;

/// <summary>
/// <c>kvm-vmm --machine none --qmp ADDRESS...</c>: monitors without a VM, as <c>qemu -machine none</c>
/// (what libvirt uses to probe an emulator). Needs no /dev/kvm; query-kvm reports whether it exists.
/// Runs until a client sends quit or the process gets SIGTERM/SIGINT (System.CommandLine cancels the token;
/// SHUTDOWN with reason host-signal goes out first, as QEMU does).
/// </summary>
internal static class NoneMachineHost
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    public static async Task<int> RunAsync(IReadOnlyList<string> qmpAddresses, string? name, CancellationToken stopping)
    {
        if (qmpAddresses.Count == 0)
        {
            s_log.Error("--machine none needs at least one --qmp address");
            return 2;
        }

        var events = new QmpEventHub();
        var machine = new QmpNoneMachine(events, name, kvmPresent: File.Exists("/dev/kvm"));
        await using var server = new QmpServer(machine, events);
        foreach (string address in qmpAddresses)
        {
            if (!QmpAddress.TryParse(address, out _, out string? error))
            {
                s_log.Error("{Error}", error);
                return 2;
            }

            server.AddMonitor(address);
        }

        var signalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using CancellationTokenRegistration registration = stopping.Register(() => signalled.TrySetResult());
        await Task.WhenAny(machine.QuitRequested, signalled.Task).ConfigureAwait(false);
        if (signalled.Task.IsCompleted)
        {
            events.Emit("SHUTDOWN", new QmpShutdownEventData(false, QmpShutdownCause.HostSignal), QmpJsonContext.Default.QmpShutdownEventData);
        }
        else
        {
            // Let the quit reply reach the client before the monitors close.
            await Task.Delay(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
        }

        s_log.Info("kvm-vmm (machine none) exiting");
        return 0;
    }
}
