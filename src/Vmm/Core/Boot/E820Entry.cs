namespace Kvm.Vmm.Boot;

/// <summary>One entry of the E820 memory map in boot_params (struct boot_e820_entry: 20 bytes).</summary>
public readonly record struct E820Entry(ulong Address, ulong Size, uint Type)
{
    public const uint Ram = 1;
    public const uint Reserved = 2;
    public const int EncodedSize = 20;
}
