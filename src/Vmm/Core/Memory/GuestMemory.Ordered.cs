using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Kvm.Vmm.Memory;

/// <summary>
/// Typed, bounds-checked accesses for wire structures the guest shares with devices (virtqueues): little-endian
/// integers, volatile ring indices, and plain copies. Every method is a Try: an address or length the guest made up
/// is answered with <c>false</c>, never an exception. A range must lie wholly within one region (regions are separate
/// host mappings, so a range is never followed across a region boundary even when the guest ranges touch).
/// </summary>
public sealed unsafe partial class GuestMemory
{
    /// <summary>Whether [address, address + length) lies wholly within one region (a zero length needs the address in RAM).</summary>
    public bool IsRam(ulong address, ulong length) => TryGetPointer(address, length, out _);

    public bool TryReadUInt16(ulong address, out ushort value)
    {
        if (TryGetPointer(address, sizeof(ushort), out byte* p))
        {
            // SAFETY: p points at 2 bytes inside a live region mapping (checked above).
            value = BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(p, sizeof(ushort)));
            return true;
        }

        value = 0;
        return false;
    }

    public bool TryReadUInt32(ulong address, out uint value)
    {
        if (TryGetPointer(address, sizeof(uint), out byte* p))
        {
            // SAFETY: p points at 4 bytes inside a live region mapping (checked above).
            value = BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(p, sizeof(uint)));
            return true;
        }

        value = 0;
        return false;
    }

    public bool TryReadUInt64(ulong address, out ulong value)
    {
        if (TryGetPointer(address, sizeof(ulong), out byte* p))
        {
            // SAFETY: p points at 8 bytes inside a live region mapping (checked above).
            value = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(p, sizeof(ulong)));
            return true;
        }

        value = 0;
        return false;
    }

    public bool TryWriteUInt16(ulong address, ushort value)
    {
        if (TryGetPointer(address, sizeof(ushort), out byte* p))
        {
            // SAFETY: p points at 2 bytes inside a live region mapping (checked above).
            BinaryPrimitives.WriteUInt16LittleEndian(new Span<byte>(p, sizeof(ushort)), value);
            return true;
        }

        return false;
    }

    public bool TryWriteUInt32(ulong address, uint value)
    {
        if (TryGetPointer(address, sizeof(uint), out byte* p))
        {
            // SAFETY: p points at 4 bytes inside a live region mapping (checked above).
            BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(p, sizeof(uint)), value);
            return true;
        }

        return false;
    }

    /// <summary>
    /// A volatile (acquire) read of a naturally aligned little-endian u16, for ring indices the other side updates
    /// concurrently; a misaligned address is refused (a torn index must not be possible).
    /// </summary>
    public bool TryReadVolatileUInt16(ulong address, out ushort value)
    {
        if (address % sizeof(ushort) == 0 && TryGetPointer(address, sizeof(ushort), out byte* p))
        {
            // SAFETY: p points at 2 naturally aligned bytes inside a live region mapping (checked above).
            ushort raw = Volatile.Read(ref Unsafe.AsRef<ushort>(p));
            value = BitConverter.IsLittleEndian ? raw : BinaryPrimitives.ReverseEndianness(raw);
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>A volatile (release) write of a naturally aligned little-endian u16; a misaligned address is refused.</summary>
    public bool TryWriteVolatileUInt16(ulong address, ushort value)
    {
        if (address % sizeof(ushort) == 0 && TryGetPointer(address, sizeof(ushort), out byte* p))
        {
            ushort raw = BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
            // SAFETY: p points at 2 naturally aligned bytes inside a live region mapping (checked above).
            Volatile.Write(ref Unsafe.AsRef<ushort>(p), raw);
            return true;
        }

        return false;
    }

    /// <summary>Reads a host-endian <typeparamref name="T"/> (no alignment needed); for wire structures of the host's byte order.</summary>
    public bool TryRead<T>(ulong address, out T value) where T : unmanaged
    {
        if (TryGetPointer(address, (ulong)sizeof(T), out byte* p))
        {
            // SAFETY: p points at sizeof(T) bytes inside a live region mapping (checked above); T is unmanaged.
            value = Unsafe.ReadUnaligned<T>(p);
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>Reads a host-endian <typeparamref name="T"/>; throws when the bytes are not all guest RAM (loaders, not devices).</summary>
    public T Read<T>(ulong address) where T : unmanaged =>
        TryRead(address, out T value) ? value
            : throw new ArgumentOutOfRangeException(nameof(address), $"guest range 0x{address:x}+0x{sizeof(T):x} is not RAM");

    /// <summary>Copies [address, address + destination.Length) out of guest RAM.</summary>
    public bool TryRead(ulong address, Span<byte> destination)
    {
        if (TryGetPointer(address, (ulong)destination.Length, out byte* p))
        {
            // SAFETY: p points at destination.Length bytes inside a live region mapping (checked above).
            new ReadOnlySpan<byte>(p, destination.Length).CopyTo(destination);
            return true;
        }

        return false;
    }

    /// <summary>Copies source into guest RAM at [address, address + source.Length).</summary>
    public bool TryWrite(ulong address, ReadOnlySpan<byte> source)
    {
        if (TryGetPointer(address, (ulong)source.Length, out byte* p))
        {
            // SAFETY: p points at source.Length bytes inside a live region mapping (checked above).
            source.CopyTo(new Span<byte>(p, source.Length));
            return true;
        }

        return false;
    }

    /// <summary>The host address of [address, address + length) when it lies wholly within one region.</summary>
    private bool TryGetPointer(ulong address, ulong length, out byte* pointer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var region in _regions)
        {
            // Subtractions only after the comparisons that make them non-negative: no sum can wrap.
            if (address >= region.GuestAddress)
            {
                ulong offset = address - region.GuestAddress;
                if (offset <= region.Size && length <= region.Size - offset)
                {
                    pointer = (byte*)region.HostAddress + offset;
                    return true;
                }
            }
        }

        pointer = null;
        return false;
    }
}
