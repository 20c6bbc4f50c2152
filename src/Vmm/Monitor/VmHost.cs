using Kvm.Qmp.Commands;
using Kvm.Qmp.Server;
using Kvm.Vmm.Boot;
using Kvm.Vmm.Hypervisor;
using Kvm.Vmm.Launch;
using NLog;

namespace Kvm.Vmm.Monitor;

/// <summary>
/// Runs one VM in this process: builds the machine from a <see cref="LaunchPlan"/>, serves its QMP monitors, copies
/// console input to the guest, and returns the exit code when the VM is over (quit, a destroy action, a signal).
/// </summary>
internal static class VmHost
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    public static async Task<int> RunAsync(LaunchPlan plan, IReadOnlyList<string> qmpAddresses, bool startPaused, bool noShutdown, CancellationToken stopping)
    {
        foreach (string address in qmpAddresses)
        {
            if (!QmpAddress.TryParse(address, out _, out string? error))
            {
                s_log.Error("{Error}", error);
                return 2;
            }
        }

        var events = new QmpEventHub();
        QmpChardevInfo[] monitors = [.. qmpAddresses.Select((address, i) => new QmpChardevInfo(FrontendOpen: true, MonitorFilename(address), $"compat_monitor{i}"))];
        using var machine = new KvmQmpMachine(plan.Machine, plan.Lifecycle, events, plan.Name, plan.Uuid, startPaused, noShutdown)
        {
            Chardevs = () => [.. monitors, new QmpChardevInfo(FrontendOpen: true, plan.Serial.QemuFilename, plan.SerialLabel)],
        };
        try
        {
            machine.Start();
        }
        catch (Exception e) when (e is BootException or KvmException or LaunchException or Firmware.FirmwareException)
        {
            s_log.Error("{Error}", e.Message);
            return 1;
        }

        if (plan.Serial.Description.StartsWith("pty:", StringComparison.Ordinal))
        {
            // QEMU prints the same line; people and libvirt look for it.
            Console.Error.WriteLine($"char device redirected to {plan.Serial.Description[4..]} (label {plan.SerialLabel})");
        }

        await using var server = new QmpServer(machine, events);
        foreach (string address in qmpAddresses)
        {
            server.AddMonitor(address);
        }

        using var input = ConsoleInput.Start(plan.Serial.Input, machine.SendConsoleInput, machine.ConsoleInputRoom);
        var signalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = stopping.Register(() => signalled.TrySetResult());
        await Task.WhenAny(machine.Finished, signalled.Task).ConfigureAwait(false);
        if (!machine.Finished.IsCompleted)
        {
            machine.HostSignal();
        }

        // Let the last reply and event reach the monitors before they close.
        await Task.Delay(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
        s_log.Info("kvm-vmm exiting");
        return await machine.Finished.ConfigureAwait(false);
    }

    /// <summary>QEMU's query-chardev filename of a -qmp monitor: "unix:/run/x.sock,server=on".</summary>
    private static string MonitorFilename(string address) => QmpAddress.SplitOptions(address)[0] + ",server=on";
}
