using Kvm.Vmm.Bus;
using Kvm.Vmm.Devices;
using Kvm.Vmm.Hypervisor;
using NLog;

namespace Kvm.Vmm.Machine;

/// <summary>
/// Handles one vCPU exit: port I/O goes to the port bus, memory-mapped I/O to the MMIO bus, and
/// halts, resets, system events and exits it does not know end the machine. Everything it reads comes from a
/// <see cref="KvmRunView"/>, so it runs without KVM in tests; it never throws on what the guest or KVM put there, and
/// it allocates only when the machine ends.
/// </summary>
internal sealed class ExitDispatcher(IoBus io, MmioBus mmio)
{
    private const uint SystemEventShutdown = 1; // KVM_SYSTEM_EVENT_SHUTDOWN
    private const uint SystemEventReset = 2; // KVM_SYSTEM_EVENT_RESET
    private const uint SystemEventCrash = 3; // KVM_SYSTEM_EVENT_CRASH

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    /// <summary>
    /// Handles <paramref name="exit"/> (what KVM_RUN returned; <see cref="VcpuExit.Interrupted"/> may not be in the
    /// page). <paramref name="end"/> is set when the answer is <see cref="ExitAction.Stop"/>.
    /// </summary>
    public ExitAction Dispatch(int vcpuId, VcpuExit exit, KvmRunView run, out MachineExit? end)
    {
        end = null;
        switch (exit)
        {
            case VcpuExit.Io:
                if (!run.TryGetIo(out var access))
                {
                    end = new MachineExit(MachineExitReason.InternalError, $"vCPU {vcpuId}: KVM reported a port access outside the kvm_run page");
                    return ExitAction.Stop;
                }

                // A string instruction (rep outsb / insb) repeats the access on the same port.
                for (int i = 0; i < access.Count; i++)
                {
                    var item = access.Data.Slice(i * access.Width, access.Width);
                    if (access.IsWrite)
                    {
                        io.Write(access.Port, item);
                    }
                    else
                    {
                        io.Read(access.Port, item);
                    }
                }

                return ExitAction.Continue;
            case VcpuExit.Mmio:
                var mmioAccess = run.Mmio;
                if (mmioAccess.IsWrite)
                {
                    mmio.Write(mmioAccess.Address, mmioAccess.Data);
                }
                else
                {
                    mmio.Read(mmioAccess.Address, mmioAccess.Data);
                }

                return ExitAction.Continue;
            case VcpuExit.Interrupted:
                return ExitAction.Interrupted;
            case VcpuExit.IrqWindowOpen:
                return ExitAction.Continue;
            case VcpuExit.Hlt:
                end = new MachineExit(MachineExitReason.GuestShutdown, $"vCPU {vcpuId} halted");
                return ExitAction.Stop;
            case VcpuExit.Shutdown:
                // A triple fault resets a PC (QEMU does the same); Linux's reboot=t relies on it.
                s_log.Warn("vCPU {Id} triple-faulted; the machine resets", vcpuId);
                end = new MachineExit(MachineExitReason.GuestReset, $"vCPU {vcpuId}: triple fault");
                return ExitAction.Stop;
            case VcpuExit.SystemEvent:
                uint type = run.SystemEventType;
                var reason = type switch
                {
                    SystemEventShutdown => MachineExitReason.GuestShutdown,
                    SystemEventReset => MachineExitReason.GuestReset,
                    SystemEventCrash => MachineExitReason.GuestCrash,
                    _ => MachineExitReason.InternalError,
                };
                end = new MachineExit(reason, $"vCPU {vcpuId}: system event {type}");
                return ExitAction.Stop;
            default:
                end = new MachineExit(MachineExitReason.InternalError, $"vCPU {vcpuId}: unhandled exit {exit} ({(uint)exit})");
                return ExitAction.Stop;
        }
    }
}
