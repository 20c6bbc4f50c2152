namespace Kvm.Vmm.Pci;

/// <summary>
/// Where BARs go: a 32-bit window in the hole below 4 GiB and a 64-bit window above RAM, both described to the guest in
/// the host bridge's _CRS. Addresses are handed out in order, each aligned to its BAR's size, as firmware places them.
/// </summary>
public sealed class PciWindows(ulong base32, ulong size32, ulong base64, ulong size64)
{
    private ulong _next32 = base32;
    private ulong _next64 = base64;

    public ulong Base32 { get; } = base32;

    public ulong Size32 { get; } = size32;

    public ulong Base64 { get; } = base64;

    public ulong Size64 { get; } = size64;

    /// <summary>An address for <paramref name="bar"/>: below 4 GiB while there is room (any BAR), else above (64-bit BARs only).</summary>
    public ulong Allocate(PciBar bar)
    {
        if (!bar.IsMemory)
        {
            throw new ArgumentException("I/O BARs are not placed by the memory windows");
        }

        ulong at = Align(_next32, bar.Size);
        if (at + bar.Size <= Base32 + Size32 && (bar.Kind == PciBarKind.Memory32 || bar.Size < 256UL << 20))
        {
            _next32 = at + bar.Size;
            return at;
        }

        at = Align(_next64, bar.Size);
        if (bar.Kind == PciBarKind.Memory64 && at + bar.Size <= Base64 + Size64)
        {
            _next64 = at + bar.Size;
            return at;
        }

        throw new ArgumentException($"no room for BAR {bar.Index} (0x{bar.Size:x} bytes) in the PCI windows");
    }

    private static ulong Align(ulong value, ulong alignment) => (value + alignment - 1) & ~(alignment - 1);
}
