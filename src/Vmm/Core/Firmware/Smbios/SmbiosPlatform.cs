namespace Kvm.Vmm.Firmware.Smbios;

/// <summary>
/// The facts of the machine the SMBIOS tables describe: its UUID, its model, its processors and its RAM.
/// </summary>
/// <param name="Uuid">The system UUID (type 1), the domain's.</param>
/// <param name="Product">The machine model kvm-vmm names by default (type 1 product), such as "kvm-vmm PC (i440FX + PIIX)".</param>
/// <param name="MachineType">The machine type as the domain names it (type 1 and 3 version), such as "pc-i440fx-7.2".</param>
/// <param name="Sockets">Processor sockets (one type 4 each).</param>
/// <param name="CoresPerSocket">Cores in each socket.</param>
/// <param name="ThreadsPerCore">Threads in each core.</param>
/// <param name="Vcpus">vCPUs present, filling sockets in order.</param>
/// <param name="ProcessorId">CPUID leaf 1 EAX (low half) and EDX (high half), as type 4's processor ID holds them.</param>
/// <param name="RamRegions">Guest RAM as the address map has it (one type 19 each).</param>
/// <param name="FirmwareWritesBios">
/// Whether firmware (SeaBIOS, OVMF) installs the tables and adds its own type 0 when there is none: type 0 is then
/// given only when <see cref="SmbiosConfig.HasBios"/>, as QEMU does.
/// </param>
public sealed record SmbiosPlatform(
    Guid Uuid,
    string Product,
    string MachineType,
    int Sockets,
    int CoresPerSocket,
    int ThreadsPerCore,
    int Vcpus,
    ulong ProcessorId,
    IReadOnlyList<(ulong Address, ulong Size)> RamRegions,
    bool FirmwareWritesBios);
