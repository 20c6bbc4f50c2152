using Kvm.Vmm.Hypervisor;

namespace Kvm.Vmm.Machine;

/// <summary>The vCPU threads: run, dispatch the exit, repeat until the machine ends.</summary>
public sealed partial class PcMachine
{
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
                if (exit == VcpuExit.Shutdown)
                {
                    s_log.Warn("vCPU {Id} shut down (triple fault) at {State}", vcpu.Id, vcpu.DescribeState());
                }

                switch (_dispatcher.Dispatch(vcpu.Id, exit, vcpu.RunPage, out var end))
                {
                    case ExitAction.Continue:
                        break;
                    case ExitAction.Interrupted:
                        ParkWhilePaused();
                        break;
                    case ExitAction.Stop:
                        End(end!);
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
}
