namespace Kvm.Vmm.Devices;

/// <summary>What the CMOS tells firmware about the machine: RAM below and above 4 GiB (bytes) and the vCPU count.</summary>
public readonly record struct CmosMemory(ulong RamBelow4G, ulong RamAbove4G, int Vcpus);
