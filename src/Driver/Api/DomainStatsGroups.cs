namespace Kvm.Driver.Api;

/// <summary>virDomainStatsTypes: the groups GetStats and GetAllDomainStats are asked for.</summary>
[Flags]
public enum DomainStatsGroups : uint
{
    None = 0,
    State = 1,
    CpuTotal = 2,
    Balloon = 4,
    Vcpu = 8,
    Interface = 16,
    Block = 32,
    Perf = 64,
    IoThread = 128,
    Memory = 256,
    DirtyRate = 512,
    Vm = 1024,

    /// <summary>What kvmd reports; 0 in a request means these.</summary>
    Supported = State | CpuTotal | Balloon | Vcpu | Interface | Block,
}
