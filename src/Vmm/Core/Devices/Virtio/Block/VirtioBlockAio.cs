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

/// <summary>
/// One virtio-blk queue's reads and writes through Linux AIO, as QEMU's aio=native: the queue's thread turns each
/// IN or OUT chain whose data lies in an O_DIRECT image file (the backend says where: one extent for a raw image, up to
/// <see cref="MaxExtents"/> runs of clusters for qcow2) into PREADVs or PWRITEVs over the guest's own pages, submits the batch with one io_submit, and collects the results when the
/// completion eventfd fires; no thread per request, no copy. A request that continues the one batched just before it
/// (same direction, the next bytes of the same file, one extent each) is merged into that one's PREADV or PWRITEV, as
/// QEMU's virtio-blk merges a batch's sequential requests: fewer, larger host I/Os. Everything else (flush, discard, GET_ID, unaligned
/// buffers, unallocated or shared qcow2 clusters, a guest mistake) is declined and served synchronously.
/// </summary>
internal sealed unsafe class VirtioBlockAio : IAsyncChainServer
{
    /// <summary>The most places one request's data may be split over (qcow2 clusters not stored one after another).</summary>
    public const int MaxExtents = 16;

    /// <summary>The most bytes requests merged into one host I/O carry together (QEMU's virtio-blk stops at its max transfer too).</summary>
    public const ulong MaxMergedBytes = 8UL << 20;

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly VirtioBlock _device;
    private readonly IDirectBlockBackend _backend;
    private readonly GuestMemory _memory;
    private readonly ulong _context;
    private readonly int _slots;
    private readonly int _vectorsPerSlot;
    private readonly Request[] _requests;
    private readonly Stack<int> _freeSlots = new();
    private readonly AioControlBlock* _blocks;
    private readonly AioControlBlock** _batch;
    private readonly IoVector* _vectors;
    private readonly AioEvent* _events;
    private readonly ulong[] _expected;
    private int _batched;
    private bool _disabled;
    private bool _disposed;

    private VirtioBlockAio(VirtioBlock device, IDirectBlockBackend backend, GuestMemory memory, ulong context, int slots, int vectorsPerSlot)
    {
        _device = device;
        _backend = backend;
        _memory = memory;
        _context = context;
        _slots = slots;
        // A segment may be cut at each extent's end; a slot that heads merged requests holds their vectors too, up to
        // what one PREADV/PWRITEV takes.
        _vectorsPerSlot = Math.Max(vectorsPerSlot, IoVector.MaxPerCall) + MaxExtents;
        _requests = new Request[slots];
        int blocks = slots * MaxExtents;
        _expected = new ulong[blocks];
        _blocks = (AioControlBlock*)NativeMemory.AllocZeroed((nuint)blocks, (nuint)sizeof(AioControlBlock));
        _batch = (AioControlBlock**)NativeMemory.AllocZeroed((nuint)blocks, (nuint)sizeof(nint));
        _vectors = (IoVector*)NativeMemory.AllocZeroed((nuint)slots * (nuint)_vectorsPerSlot, (nuint)sizeof(IoVector));
        _events = (AioEvent*)NativeMemory.AllocZeroed((nuint)blocks, (nuint)sizeof(AioEvent));
        for (int i = slots - 1; i >= 0; i--)
        {
            _requests[i] = new Request();
            _freeSlots.Push(i);
        }
    }

    public EventFd Completions { get; } = EventFd.Create();

    /// <summary>Told of each request that goes out inside the host I/O of the request before it (the device's counters).</summary>
    public Action? Merged { get; set; }

    /// <summary>Told how many requests (their first pieces) each io_submit handed to the host (for the device's counters).</summary>
    public Action<int>? Submitted { get; set; }

    /// <summary>
    /// An AIO server for one queue of <paramref name="device"/>, or null when the image cannot take it (not O_DIRECT,
    /// or a backend without direct mapping) or the host refuses an AIO context (logged; the queue then uses threads).
    /// </summary>
    public static VirtioBlockAio? TryCreate(VirtioBlock device, IBlockBackend backend, GuestMemory memory, int slots, int vectorsPerSlot)
    {
        if (backend is not IDirectBlockBackend direct)
        {
            return null;
        }

        int result = LinuxAio.Setup(slots * MaxExtents, out ulong context);
        if (result != 0)
        {
            s_log.Warn("{Device}: no Linux AIO context ({Error}); requests are served on threads", device.Name, Libc.ErrorText(-result));
            return null;
        }

        return new VirtioBlockAio(device, direct, memory, context, slots, vectorsPerSlot);
    }

    public bool TryStart(DescriptorChain chain)
    {
        if (_disabled || _freeSlots.Count == 0 || chain.Count + MaxExtents > _vectorsPerSlot)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[R.HeaderSize];
        if (chain.ReadableBytes < R.HeaderSize || chain.WritableBytes < 1 || chain.CopyFromReadable(_memory, 0, header) != R.HeaderSize)
        {
            return false;
        }

        uint type = BinaryPrimitives.ReadUInt32LittleEndian(header);
        bool write = type == R.Out;
        if (type is not (R.In or R.Out) || (write && _device.Backend.ReadOnly))
        {
            return false;
        }

        ulong sector = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
        ulong length = write ? chain.ReadableBytes - R.HeaderSize : chain.WritableBytes - 1;
        if (length == 0 || length % R.SectorSize != 0 || length > int.MaxValue || !_device.InDisk(sector, length))
        {
            return false;
        }

        Span<IoVector> pages = stackalloc IoVector[chain.Count];
        int count = RequestVectors.Gather(_memory, chain, write, length, pages, ImageFile.Alignment);
        if (count <= 0 || count > IoVector.MaxPerCall)
        {
            return false; // not guest RAM, not aligned for O_DIRECT, or more pieces than one PREADV takes
        }

        pages = pages[..count];
        ulong offset = sector * R.SectorSize;
        Span<DirectExtent> extents = stackalloc DirectExtent[MaxExtents];
        ImageFile? file = null;
        int extentCount = _backend.TryMapDirect(offset, length, write, extents, out file);
        if (extentCount == 0 || file is null)
        {
            return false;
        }

        foreach (var extent in extents[..extentCount])
        {
            if (((extent.HostOffset | extent.Length) & (ImageFile.Alignment - 1)) != 0)
            {
                return false;
            }
        }

        var last = chain.Segments[^1];
        if (extentCount == 1 && TryMerge(chain, file, write, offset, length, last.Address + last.Length - 1, extents[0], pages))
        {
            return true;
        }

        int slot = _freeSlots.Pop();
        _requests[slot].Set(chain, file, write, offset, length, last.Address + last.Length - 1, extentCount);
        IoVector* vectors = _vectors + ((long)slot * _vectorsPerSlot);
        int room = _vectorsPerSlot;
        // SAFETY: the image file stays open while the device runs; Dispose waits for every request in flight first.
        uint fd = (uint)file.Handle.DangerousGetHandle();
        for (int e = 0; e < extentCount; e++)
        {
            // SAFETY: vectors points into this slot's array with room entries left.
            int used = IoVector.Take(ref pages, extents[e].Length, new Span<IoVector>(vectors, room));
            int index = (slot * MaxExtents) + e;
            _expected[index] = extents[e].Length;
            AioControlBlock* block = _blocks + index;
            *block = new AioControlBlock
            {
                Data = (ulong)index,
                Opcode = write ? AioControlBlock.OpPWriteV : AioControlBlock.OpPReadV,
                FileDescriptor = fd,
                Buffer = (ulong)vectors,
                Bytes = (ulong)used,
                Offset = (long)extents[e].HostOffset,
                Flags = AioControlBlock.FlagResFd,
                ResFd = (uint)Completions.Fd,
            };
            _batch[_batched++] = block;
            vectors += used;
            room -= used;
        }

        _requests[slot].Vectors = _vectorsPerSlot - room;
        return true;
    }

    /// <summary>
    /// Appends a one-extent request to the I/O batched just before it when that one is a one-extent request of the
    /// same direction and file whose bytes end where these begin, and the two fit one call: the request takes a slot
    /// (for its chain and status) but no control block of its own, and completes with the I/O it rides in.
    /// </summary>
    private bool TryMerge(DescriptorChain chain, ImageFile file, bool write, ulong offset, ulong length, ulong statusAddress, DirectExtent extent, Span<IoVector> pages)
    {
        if (_batched == 0 || _freeSlots.Count == 0)
        {
            return false;
        }

        AioControlBlock* block = _batch[_batched - 1];
        int index = (int)block->Data;
        int headSlot = index / MaxExtents;
        var head = _requests[headSlot];
        if (index % MaxExtents != 0 || head.Extents != 1 || head.Write != write || !ReferenceEquals(head.File, file)
            || (ulong)block->Offset + _expected[index] != extent.HostOffset
            || _expected[index] + length > MaxMergedBytes
            || head.Vectors + pages.Length > Math.Min(IoVector.MaxPerCall, _vectorsPerSlot))
        {
            return false;
        }

        int slot = _freeSlots.Pop();
        var follower = _requests[slot];
        follower.Set(chain, file, write, offset, length, statusAddress, pieces: 0);
        IoVector* vectors = _vectors + ((long)headSlot * _vectorsPerSlot);
        pages.CopyTo(new Span<IoVector>(vectors + head.Vectors, pages.Length));
        head.Vectors += pages.Length;
        head.Followers.Add(slot);
        block->Bytes = (ulong)head.Vectors;
        _expected[index] += length;
        Merged?.Invoke();
        return true;
    }

    public void Submit(Action<DescriptorChain> declined)
    {
        int done = 0;
        while (done < _batched)
        {
            long n = LinuxAio.Submit(_context, _batch + done, _batched - done);
            if (n == -FileIo.EIntr)
            {
                continue;
            }

            if (n <= 0)
            {
                if (n != -FileIo.EAgain && !_disabled)
                {
                    // The file system refuses AIO on this file (EINVAL and the like): every request goes to threads now.
                    _disabled = true;
                    s_log.Warn("{Device}: io_submit failed ({Error}); requests are served on threads from now on", _device.Name, Libc.ErrorText((int)-n));
                }

                Unsubmitted(done, declined);
                break;
            }

            int requests = 0;
            for (int i = done; i < done + n; i++)
            {
                ulong data = _batch[i]->Data;
                requests += data % MaxExtents == 0 ? 1 + _requests[(int)(data / MaxExtents)].Followers.Count : 0;
            }

            Submitted?.Invoke(requests);
            done += (int)n;
        }

        _batched = 0;
    }

    public void Reap(Action<DescriptorChain, uint> complete)
    {
        Completions.TryConsume();
        int capacity = _slots * MaxExtents;
        while (true)
        {
            long n = LinuxAio.Poll(_context, _events, capacity);
            if (n == -FileIo.EIntr)
            {
                continue;
            }

            if (n <= 0)
            {
                return;
            }

            for (int i = 0; i < n; i++)
            {
                ulong index = _events[i].Data;
                if (index >= (ulong)capacity || _requests[(int)index / MaxExtents] is not { Chain: { } chain } request)
                {
                    continue; // not ours: cannot happen, the kernel hands back the aio_data it was given
                }

                if (_events[i].Result != (long)_expected[index])
                {
                    request.Fail(_events[i].Result);
                }

                if (--request.Pending == 0)
                {
                    CompleteMerged(request, complete);
                    uint written = Finish(request);
                    Release((int)index / MaxExtents);
                    complete(chain, written);
                }
            }

            if (n < capacity)
            {
                return;
            }
        }
    }

    /// <summary>
    /// The control blocks from <paramref name="from"/> on that the host did not take: a request none of whose extents
    /// went out is declined (served synchronously); the extents of a request that is partly out are done here, at once.
    /// </summary>
    private void Unsubmitted(int from, Action<DescriptorChain> declined)
    {
        int releasedSlot = -1;
        for (int i = from; i < _batched; i++)
        {
            AioControlBlock* block = _batch[i];
            int slot = (int)(block->Data / MaxExtents);
            if (slot == releasedSlot)
            {
                continue;
            }

            var request = _requests[slot];
            if (block->Data % MaxExtents == 0)
            {
                var chain = request.Chain!;
                int[] followers = [.. request.Followers];
                Release(slot);
                releasedSlot = slot;
                declined(chain);
                foreach (int f in followers)
                {
                    var followerChain = _requests[f].Chain!;
                    Release(f);
                    declined(followerChain);
                }

                continue;
            }

            var handle = request.File!.Handle;
            long result = request.Write
                ? FileIo.PWriteV(handle, (IoVector*)block->Buffer, (int)block->Bytes, block->Offset)
                : FileIo.PReadV(handle, (IoVector*)block->Buffer, (int)block->Bytes, block->Offset);
            if (result != (long)_expected[block->Data])
            {
                request.Fail(result);
            }

            request.Pending--; // its extents that went out are still pending: it completes when they are reaped
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        // io_destroy returns once every request in flight has finished: nothing writes into guest memory afterwards.
        int result = LinuxAio.Destroy(_context);
        if (result != 0)
        {
            s_log.Error("{Device}: io_destroy failed ({Error})", _device.Name, Libc.ErrorText(-result));
            return; // the native buffers may still be in use by the kernel: leak them rather than free them
        }

        NativeMemory.Free(_blocks);
        NativeMemory.Free(_batch);
        NativeMemory.Free(_vectors);
        NativeMemory.Free(_events);
        Completions.Dispose();
    }

    /// <summary>Writes the status byte and the statistics of a finished request; returns the bytes written into the chain.</summary>
    private uint Finish(Request request)
    {
        bool ok = request.Error is null;
        long nanos = (long)Stopwatch.GetElapsedTime(request.Started).TotalNanoseconds;
        if (request.Write)
        {
            _device.Stats.Write((long)request.Offset, (long)request.Length, nanos, ok);
        }
        else
        {
            _device.Stats.Read((long)request.Length, nanos, ok);
        }

        if (!ok)
        {
            long result = request.Error!.Value;
            s_log.Warn("{Device}: {Operation} of {Length} bytes at {Offset} failed: {Error}", _device.Name, request.Write ? "write" : "read",
                request.Length, request.Offset, result < 0 ? Libc.ErrorText((int)-result) : $"it stopped short ({result} bytes of a piece)");
            _device.ReportIoError(request.Write ? BlockIoOperation.Write : BlockIoOperation.Read);
        }

        _memory.TryWrite(request.StatusAddress, [ok ? R.StatusOk : R.StatusIoError]);
        return ok && !request.Write ? (uint)request.Length + 1 : 1;
    }

    /// <summary>Completes the requests that rode in <paramref name="head"/>'s I/O, with its outcome.</summary>
    private void CompleteMerged(Request head, Action<DescriptorChain, uint> complete)
    {
        foreach (int f in head.Followers)
        {
            var follower = _requests[f];
            var chain = follower.Chain!;
            if (head.Error is { } error)
            {
                follower.Fail(error);
            }

            uint written = Finish(follower);
            Release(f);
            complete(chain, written);
        }

        head.Followers.Clear();
    }

    private void Release(int slot)
    {
        _requests[slot].Chain = null;
        _requests[slot].File = null;
        _requests[slot].Followers.Clear();
        _freeSlots.Push(slot);
    }

    /// <summary>What a request in flight needs at completion (one per slot, reused).</summary>
    private sealed class Request
    {
        public DescriptorChain? Chain;
        public ImageFile? File;
        public bool Write;
        public ulong Offset;
        public ulong Length;
        public ulong StatusAddress;
        public long Started;
        public int Pending;

        /// <summary>Host I/Os of its own (0 for a request merged into another's).</summary>
        public int Extents;

        /// <summary>Vectors its I/O uses in the slot's array (its own, then its followers').</summary>
        public int Vectors;

        /// <summary>The slots of the requests merged into its I/O, in order.</summary>
        public readonly List<int> Followers = new(8);

        /// <summary>The first failed piece's result (-errno, or a short count); null while every piece succeeded.</summary>
        public long? Error;

        public void Set(DescriptorChain chain, ImageFile file, bool write, ulong offset, ulong length, ulong statusAddress, int pieces)
        {
            Chain = chain;
            File = file;
            Write = write;
            Offset = offset;
            Length = length;
            StatusAddress = statusAddress;
            Started = Stopwatch.GetTimestamp();
            Pending = pieces;
            Extents = pieces;
            Vectors = 0;
            Error = null;
        }

        public void Fail(long result) => Error ??= result;
    }
}
