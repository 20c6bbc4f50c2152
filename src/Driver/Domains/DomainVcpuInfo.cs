namespace Kvm.Driver.Domains;

/// <summary>One vCPU as virDomainGetVcpus reports it (state: 0 offline, 1 running, 2 blocked; Cpu: host CPU or -1).</summary>
public readonly record struct DomainVcpuInfo(uint Number, int State, ulong CpuTimeNs, int Cpu);
