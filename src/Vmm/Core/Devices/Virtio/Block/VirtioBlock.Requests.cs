using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Kvm.Vmm.Block;
using Kvm.Vmm.Interop;
using Kvm.Vmm.Memory;
using NLog;
using R = Kvm.Vmm.Devices.Virtio.Block.VirtioBlockRequest;

namespace Kvm.Vmm.Devices.Virtio.Block;

/// <summary>Serving one request: header, data segments, status byte (virtio 1.2, 5.2.6).</summary>
public sealed partial class VirtioBlock
{
    /// <summary>The most data one request may move through a bounce buffer (requests whose segments are not whole sectors).</summary>
    private const int MaxBounceBytes = 16 << 20;

    /// <summary>Segments whose vectors live on the stack (a default-size queue's seg_max is 254).</summary>
    private const int StackVectors = 256;

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private long _lastWarning;
    private long _lastIoError = long.MinValue / 2;

    private uint Serve(VirtioActivation activation, DescriptorChain chain)
    {
        Interlocked.Increment(ref _threadRequests);
        var memory = activation.Memory;
        Span<byte> header = stackalloc byte[R.HeaderSize];
        if (chain.ReadableBytes < R.HeaderSize || chain.WritableBytes < 1
            || chain.CopyFromReadable(memory, 0, header) != R.HeaderSize)
        {
            Warn("a request without a header or a status byte");
            return 0;
        }

        uint type = BinaryPrimitives.ReadUInt32LittleEndian(header);
        ulong sector = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
        ulong dataIn = chain.WritableBytes - 1;
        ulong dataOut = chain.ReadableBytes - R.HeaderSize;
        byte status;
        uint written = 1;
        switch (type)
        {
            case R.In:
                status = Transfer(memory, chain, sector, dataIn, write: false);
                written += status == R.StatusOk ? (uint)dataIn : 0;
                break;
            case R.Out:
                status = _backend.ReadOnly ? R.StatusIoError : Transfer(memory, chain, sector, dataOut, write: true);
                break;
            case R.Flush:
                long start = Stopwatch.GetTimestamp();
                var flushed = _config.WriteCache ? _backend.Flush() : BlockStatus.Ok;
                Stats.Flush(Nanos(start), flushed == BlockStatus.Ok);
                if (flushed == BlockStatus.IoError)
                {
                    ReportIoError(BlockIoOperation.Write);
                }

                status = ToStatus(flushed);
                break;
            case R.GetId:
                status = GetId(memory, chain, dataIn, out uint idBytes);
                written += idBytes;
                break;
            case R.Discard or R.WriteZeroes:
                status = _backend.ReadOnly ? R.StatusIoError : Ranges(memory, chain, dataOut, type == R.Discard);
                break;
            default:
                status = R.StatusUnsupported;
                break;
        }

        var last = chain.Segments[^1];
        memory.TryWrite(last.Address + last.Length - 1, [status]);
        return written;
    }

    /// <summary>Moves <paramref name="length"/> bytes between the image at <paramref name="sector"/> and the chain's data segments.</summary>
    private byte Transfer(GuestMemory memory, DescriptorChain chain, ulong sector, ulong length, bool write)
    {
        if (length % R.SectorSize != 0 || !InDisk(sector, length))
        {
            Warn(length % R.SectorSize != 0 ? "a transfer that is not whole sectors" : "a transfer past the end of the disk");
            Stats.Invalid(write);
            return R.StatusIoError;
        }

        long start = Stopwatch.GetTimestamp();
        ulong offset = sector * R.SectorSize;
        ulong skip = write ? R.HeaderSize : 0UL;
        bool ok;
        bool imageFailed;
        if (!WholeSectors(chain, skip, length, write))
        {
            ok = Bounce(memory, chain, offset, length, write, out imageFailed);
        }
        else
        {
            var status = Vectored(memory, chain, offset, write, length);
            ok = status == BlockStatus.Ok;
            imageFailed = status == BlockStatus.IoError;
        }

        if (write)
        {
            Stats.Write((long)(sector * R.SectorSize), (long)length, Nanos(start), ok);
        }
        else
        {
            Stats.Read((long)length, Nanos(start), ok);
        }

        if (imageFailed)
        {
            ReportIoError(write ? BlockIoOperation.Write : BlockIoOperation.Read);
        }

        return ok ? R.StatusOk : R.StatusIoError;
    }

    /// <summary>
    /// The data window's guest segments as one vectored read or write (one preadv or pwritev for a raw image, where
    /// a 1 MiB request of 4 KiB pages would otherwise be 256 calls). BadRequest when a segment is not guest RAM.
    /// </summary>
    private BlockStatus Vectored(GuestMemory memory, DescriptorChain chain, ulong offset, bool write, ulong length)
    {
        int count = chain.Segments.Length;
        IoVector[]? rented = count > StackVectors ? ArrayPool<IoVector>.Shared.Rent(count) : null;
        Span<IoVector> vectors = rented ?? stackalloc IoVector[StackVectors];
        try
        {
            int used = RequestVectors.Gather(memory, chain, write, length, vectors);
            if (used < 0)
            {
                return BlockStatus.OutOfRange;
            }

            return write ? _backend.WriteVectored(offset, vectors[..used]) : _backend.ReadVectored(offset, vectors[..used]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<IoVector>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Whether every piece of the data window is a whole number of sectors (so it can go to the image as it is).</summary>
    private static bool WholeSectors(DescriptorChain chain, ulong skip, ulong remaining, bool write)
    {
        foreach (var segment in chain.Segments)
        {
            if (segment.DeviceWritable == write || remaining == 0)
            {
                continue;
            }

            ulong from = Math.Min(skip, segment.Length);
            skip -= from;
            ulong take = Math.Min(segment.Length - from, remaining);
            remaining -= take;
            if (take % R.SectorSize != 0 || take > int.MaxValue)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The slow path for segments that are not whole sectors: one buffer for the whole transfer.</summary>
    private bool Bounce(GuestMemory memory, DescriptorChain chain, ulong offset, ulong length, bool write, out bool imageFailed)
    {
        imageFailed = false;
        if (length > MaxBounceBytes)
        {
            Warn("an unaligned transfer larger than 16 MiB");
            return false;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            var data = buffer.AsSpan(0, (int)length);
            if (write)
            {
                if (chain.CopyFromReadable(memory, R.HeaderSize, data) != data.Length)
                {
                    return false;
                }

                var written = _backend.Write(offset, data);
                imageFailed = written == BlockStatus.IoError;
                return written == BlockStatus.Ok;
            }

            var read = _backend.Read(offset, data);
            imageFailed = read == BlockStatus.IoError;
            return read == BlockStatus.Ok && chain.CopyToWritable(memory, 0, data) == data.Length;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private byte GetId(GuestMemory memory, DescriptorChain chain, ulong room, out uint written)
    {
        Span<byte> id = stackalloc byte[R.IdBytes];
        id.Clear();
        string serial = _config.Serial ?? string.Empty;
        System.Text.Encoding.ASCII.GetBytes(serial.AsSpan(0, Math.Min(serial.Length, R.IdBytes)), id);
        int count = (int)Math.Min(room, R.IdBytes);
        written = (uint)chain.CopyToWritable(memory, 0, id[..count]);
        return R.StatusOk;
    }

    /// <summary>DISCARD and WRITE_ZEROES: a list of {sector, num_sectors, flags} segments after the header.</summary>
    private byte Ranges(GuestMemory memory, DescriptorChain chain, ulong length, bool discard)
    {
        if (length == 0 || length % R.SegmentSize != 0 || length / R.SegmentSize > R.MaxRangeSegments)
        {
            Warn("a discard or write-zeroes request with a malformed segment list");
            return R.StatusUnsupported;
        }

        Span<byte> segment = stackalloc byte[R.SegmentSize];
        for (ulong at = 0; at < length; at += R.SegmentSize)
        {
            if (chain.CopyFromReadable(memory, R.HeaderSize + at, segment) != R.SegmentSize)
            {
                return R.StatusIoError;
            }

            ulong sector = BinaryPrimitives.ReadUInt64LittleEndian(segment);
            uint sectors = BinaryPrimitives.ReadUInt32LittleEndian(segment[8..]);
            uint flags = BinaryPrimitives.ReadUInt32LittleEndian(segment[12..]);
            ulong bytes = (ulong)sectors * R.SectorSize;
            if (sectors > R.MaxRangeSectors || (discard && flags != 0) || (flags & ~R.FlagUnmap) != 0)
            {
                return R.StatusUnsupported;
            }

            if (!InDisk(sector, bytes))
            {
                return R.StatusIoError;
            }

            long start = Stopwatch.GetTimestamp();
            var result = discard
                ? _backend.Discard(sector * R.SectorSize, bytes)
                : _backend.WriteZeroes(sector * R.SectorSize, bytes, (flags & R.FlagUnmap) != 0);
            bool ok = result == BlockStatus.Ok;
            if (discard)
            {
                Stats.Discard((long)(sector * R.SectorSize), (long)bytes, Nanos(start), ok);
            }
            else
            {
                // As QEMU's virtio-blk: WRITE_ZEROES is a write of no data bytes.
                Stats.Write((long)(sector * R.SectorSize), 0, Nanos(start), ok);
            }

            if (!ok)
            {
                if (result == BlockStatus.IoError)
                {
                    ReportIoError(BlockIoOperation.Write);
                }

                return ToStatus(result);
            }
        }

        return R.StatusOk;
    }

    internal bool InDisk(ulong sector, ulong bytes)
    {
        ulong capacity = Volatile.Read(ref _capacitySectors);
        return sector <= capacity && bytes / R.SectorSize <= capacity - sector;
    }

    private static byte ToStatus(BlockStatus status) => status switch
    {
        BlockStatus.Ok => R.StatusOk,
        BlockStatus.Unsupported => R.StatusUnsupported,
        BlockStatus.IoError or BlockStatus.OutOfRange => R.StatusIoError,
    };

    private static long Nanos(long start) => (long)Stopwatch.GetElapsedTime(start).TotalNanoseconds;

    /// <summary>
    /// Tells <see cref="IoError"/> that the image failed a request (at most once a second per disk: a guest retrying a
    /// broken disk in a loop must not flood the monitors). Runs on the queue thread; only the failure path gets here.
    /// </summary>
    internal void ReportIoError(BlockIoOperation operation)
    {
        long now = Environment.TickCount64;
        long last = Interlocked.Read(ref _lastIoError);
        if (IoError is { } handler && now - last >= 1000 && Interlocked.CompareExchange(ref _lastIoError, now, last) == last)
        {
            handler(operation);
        }
    }

    /// <summary>Guest mistakes are logged at most once a second per disk.</summary>
    private void Warn(string what)
    {
        long now = Environment.TickCount64;
        long last = Interlocked.Read(ref _lastWarning);
        if (now - last >= 1000 && Interlocked.CompareExchange(ref _lastWarning, now, last) == last)
        {
            s_log.Warn("{Device}: the guest sent {What}", Name, what);
        }
    }
}
