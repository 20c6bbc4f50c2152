namespace Kvm.Vmm.Bus;

/// <summary>A range of bus addresses, [Base, Base + Length); never empty, never past the end of the address space.</summary>
public readonly record struct BusRange
{
    private BusRange(ulong @base, ulong length)
    {
        Base = @base;
        Length = length;
    }

    public ulong Base { get; }

    public ulong Length { get; }

    /// <summary>The last address in the range.</summary>
    public ulong Last => Base + (Length - 1);

    /// <summary>A range, or null with the reason when it is empty or runs past the address space.</summary>
    public static BusRange? Create(ulong @base, ulong length, out string? error)
    {
        if (length == 0 || @base + (length - 1) < @base)
        {
            error = $"0x{@base:x} (+0x{length:x}) is not a range of the address space";
            return null;
        }

        error = null;
        return new BusRange(@base, length);
    }

    public bool Contains(ulong address) => address >= Base && address - Base < Length;

    public bool Overlaps(BusRange other) => Base <= other.Last && other.Base <= Last;

    public override string ToString() => $"0x{Base:x}-0x{Last:x}";
}
