namespace Kvm.Vmm.Interop;

/// <summary>struct iovec: one buffer of a vectored read or write (preadv, pwritev).</summary>
public unsafe struct IoVector
{
    /// <summary>The most vectors one preadv or pwritev takes on Linux (IOV_MAX).</summary>
    public const int MaxPerCall = 1024;

    public byte* Base;
    public nuint Length;

    public IoVector(byte* start, nuint length)
    {
        Base = start;
        Length = length;
    }

    /// <summary>
    /// Copies into <paramref name="destination"/> the vectors that cover the next <paramref name="length"/> bytes of
    /// <paramref name="rest"/> (the last one cut to fit) and moves <paramref name="rest"/> past them; returns how many.
    /// </summary>
    public static int Take(ref Span<IoVector> rest, ulong length, Span<IoVector> destination)
    {
        int count = 0;
        while (length > 0 && !rest.IsEmpty)
        {
            ref var first = ref rest[0];
            ulong take = Math.Min(length, (ulong)first.Length);
            destination[count++] = new IoVector(first.Base, (nuint)take);
            length -= take;
            if (take == first.Length)
            {
                rest = rest[1..];
            }
            else
            {
                first.Base += take;
                first.Length -= (nuint)take;
            }
        }

        return count;
    }
}
