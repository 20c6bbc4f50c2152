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
}
