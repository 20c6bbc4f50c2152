using Kvm.Vmm.Hypervisor;
using NLog;

namespace Kvm.Vmm.Machine;

/// <summary>The vCPU threads: run, dispatch the exit, repeat until the machine ends.</summary>
public sealed partial class LinuxMachine
{
    private const uint SystemEventShutdown = 1;
    private const uint SystemEventReset = 2;
    private const uint SystemEventCrash = 3;

    private void RunVcpu(Vcpu vcpu, CountdownEvent bound)
    {
        try
        {
            try
            {
                vcpu.BindToCurrentThread();
            }
            finally
            {
                bound.Signal();
            }

            ParkWhilePaused();
            while (!_stopping)
            {
                var exit = vcpu.Run();
                if (!HandleExit(vcpu, exit))
                {
                    return;
                }
            }
        }
        catch (Exception e)
        {
            s_log.Error(e, "vCPU {Id} failed", vcpu.Id);
            End(new MachineExit(MachineExitReason.InternalError, $"vCPU {vcpu.Id}: {e.Message}"));
        }
    }

    /// <summary>Handles one exit; false when the machine ends.</summary>
    private bool HandleExit(Vcpu vcpu, VcpuExit exit)
    {
        switch (exit)
        {
            case VcpuExit.Io:
                var io = vcpu.Io;
                for (int i = 0; i < io.Count; i++)
                {
                    var item = io.Data.Slice(i * io.Width, io.Width);
                    if (io.IsWrite)
                    {
                        _io.Write(io.Port, item);
                    }
                    else
                    {
                        _io.Read(io.Port, item);
                    }
                }

                return true;
            case VcpuExit.Mmio:
                var mmio = vcpu.Mmio;
                if (!mmio.IsWrite)
                {
                    mmio.Data.Fill(0xff);
                }

                if (s_log.IsTraceEnabled)
                {
                    s_log.Trace("Unclaimed MMIO {Kind} at 0x{Address:x}", mmio.IsWrite ? "write" : "read", mmio.Address);
                }

                return true;
            case VcpuExit.Interrupted:
                ParkWhilePaused();
                return true;
            case VcpuExit.IrqWindowOpen:
                return true;
            case VcpuExit.Hlt:
                End(new MachineExit(MachineExitReason.GuestShutdown, $"vCPU {vcpu.Id} halted"));
                return false;
            case VcpuExit.Shutdown:
                // A triple fault resets a PC (QEMU does the same); Linux's reboot=t relies on it.
                s_log.Warn("vCPU {Id} triple-faulted; the machine resets", vcpu.Id);
                End(new MachineExit(MachineExitReason.GuestReset, $"vCPU {vcpu.Id}: triple fault"));
                return false;
            case VcpuExit.SystemEvent:
                var reason = vcpu.SystemEventType switch
                {
                    SystemEventShutdown => MachineExitReason.GuestShutdown,
                    SystemEventReset => MachineExitReason.GuestReset,
                    SystemEventCrash => MachineExitReason.GuestCrash,
                    _ => MachineExitReason.InternalError,
                };
                End(new MachineExit(reason, $"vCPU {vcpu.Id}: system event {vcpu.SystemEventType}"));
                return false;
            default:
                End(new MachineExit(MachineExitReason.InternalError, $"vCPU {vcpu.Id}: unhandled exit {exit} ({(uint)exit})"));
                return false;
        }
    }
}
