namespace Kvm.Vmm.Firmware.Smbios;

/// <summary>The structures that describe hardware: processors (type 4) and memory (types 16, 17, 19).</summary>
public sealed partial class SmbiosTables
{
    /// <summary>
    /// Type 4 (7.5), 3.0 layout: a central processor of family "Other" in socket "CPU n", its CPUID signature and
    /// features as the processor ID, 2000 MHz (QEMU's default; 0 would be "unknown"), no caches described; the core
    /// and thread counts of the socket, with the enabled cores those holding a vCPU. A socket without a vCPU is
    /// unpopulated.
    /// </summary>
    private static SmbiosStructure Processor(int socket, SmbiosPlatform platform)
    {
        int threadsPerSocket = platform.CoresPerSocket * platform.ThreadsPerCore;
        int present = Math.Clamp(platform.Vcpus - (socket * threadsPerSocket), 0, threadsPerSocket);
        int enabledCores = (present + platform.ThreadsPerCore - 1) / platform.ThreadsPerCore;
        const ushort Speed = 2000;
        var structure = new SmbiosStructure(4, 0x30, Handle(4, socket))
            .String(4, $"CPU {socket}")
            .Byte(5, 0x03)
            .Byte(6, 0x01)
            .String(7, DefaultManufacturer)
            .Qword(8, platform.ProcessorId)
            .String(0x10, platform.MachineType)
            .Byte(0x11, 0)
            .Word(0x12, 0)
            .Word(0x14, Speed)
            .Word(0x16, Speed)
            .Byte(0x18, present > 0 ? (byte)0x41 : (byte)0x00) // populated, CPU enabled
            .Byte(0x19, 0x01)
            .Word(0x1a, NoHandle)
            .Word(0x1c, NoHandle)
            .Word(0x1e, NoHandle)
            .Byte(0x23, Count8(platform.CoresPerSocket))
            .Byte(0x24, Count8(enabledCores))
            .Byte(0x25, Count8(threadsPerSocket))
            .Word(0x26, (ushort)(0x04 | (platform.CoresPerSocket > 1 ? 0x08 : 0) | (platform.ThreadsPerCore > 1 ? 0x10 : 0)))
            .Word(0x28, 0x01)
            .Word(0x2a, (ushort)Math.Min(platform.CoresPerSocket, 0xfeff))
            .Word(0x2c, (ushort)Math.Min(enabledCores, 0xfeff))
            .Word(0x2e, (ushort)Math.Min(threadsPerSocket, 0xfeff));
        return structure;
    }

    /// <summary>A count in a byte field; 0xFF says "see the 16-bit field" (7.5.6).</summary>
    private static byte Count8(int count) => count > 0xfe ? (byte)0xff : (byte)count;

    /// <summary>
    /// Type 16 (7.17), 2.7 layout: system memory (use 0x03), location "Other" and multi-bit ECC as QEMU's, the capacity in KiB (from 2 TiB on, 0x80000000 and the extended capacity in bytes).
    /// </summary>
    private static SmbiosStructure MemoryArray(ulong ram, int devices)
    {
        ulong kib = ram >> 10;
        bool extended = kib >= 0x8000_0000UL;
        return new SmbiosStructure(16, 0x17, Handle(16, 0))
            .Byte(4, 0x01)
            .Byte(5, 0x03)
            .Byte(6, 0x06)
            .Dword(7, extended ? 0x8000_0000u : (uint)kib)
            .Word(0x0b, ErrorsNotProvided)
            .Word(0x0d, (ushort)devices)
            .Qword(0x0f, extended ? ram : 0);
    }

    /// <summary>
    /// Type 17 (7.18), 2.8 layout: a 64-bit DIMM of RAM ("DIMM n") in the array, its size in MiB (from 32 GiB - 1 MiB
    /// on, 0x7FFF and the extended size); speeds and voltages unknown.
    /// </summary>
    private static SmbiosStructure MemoryDevice(int index, ulong bytes)
    {
        ulong mib = bytes >> 20;
        bool extended = mib >= 0x7fff;
        return new SmbiosStructure(17, 0x28, Handle(17, index))
            .Word(4, Handle(16, 0))
            .Word(6, ErrorsNotProvided)
            .Word(8, 64)
            .Word(0x0a, 64)
            .Word(0x0c, extended ? (ushort)0x7fff : (ushort)mib)
            .Byte(0x0e, 0x09)
            .Byte(0x0f, 0)
            .String(0x10, $"DIMM {index}")
            .Byte(0x12, 0x07)
            .Word(0x13, 0x0002)
            .String(0x17, DefaultManufacturer)
            .Dword(0x1c, extended ? (uint)mib : 0);
    }

    /// <summary>
    /// Type 19 (7.20), 2.7 layout: one RAM range of the array in KiB, end inclusive, one device wide; ranges reaching
    /// 4 TiB use the extended 64-bit byte addresses with 0xFFFFFFFF in the 32-bit ones.
    /// </summary>
    private static SmbiosStructure MappedAddress(int index, ulong address, ulong size)
    {
        ulong end = address + size - 1;
        bool extended = (end >> 10) >= 0xffff_ffffUL;
        return new SmbiosStructure(19, 0x1f, Handle(19, index))
            .Dword(4, extended ? 0xffff_ffffu : (uint)(address >> 10))
            .Dword(8, extended ? 0xffff_ffffu : (uint)(end >> 10))
            .Word(0x0c, Handle(16, 0))
            .Byte(0x0e, 1)
            .Qword(0x0f, extended ? address : 0)
            .Qword(0x17, extended ? end : 0);
    }
}
