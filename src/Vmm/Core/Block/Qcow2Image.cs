using System.Buffers;
using Kvm.Vmm.Interop;
using NLog;

namespace Kvm.Vmm.Block;

/// <summary>
/// A qcow2 image (versions 2 and 3) read and written from the specification (QEMU docs/interop/qcow2.txt).
/// <para>
/// Metadata write order, so that a process killed at any moment leaves an image with leaked clusters at most: a new
/// cluster's refcount is raised first (a new refcount block is written whole, counting itself, before the refcount
/// table entry that points at it; a grown refcount table and its new blocks are written before the header points at
/// them); then the cluster's content (data, or a whole L2 table); then the reference to it (the L2 entry, or the L1
/// entry for a new L2 table). References are dropped before refcounts are lowered. Nothing is ever written into a
/// cluster some table still points at, other than in-place data writes to clusters this image owns alone (COPIED).
/// Freed clusters are not reused: allocation appends at the end of the file.
/// </para>
/// <para>
/// Concurrency: one lock guards the metadata (tables, caches, allocation); data reads and writes to clusters already
/// allocated run outside it.
/// </para>
/// </summary>
internal sealed partial class Qcow2Image : IBlockBackend, IDirectBlockBackend
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly ImageFile _file;
    private readonly IBlockBackend? _backing;
    private readonly Lock _gate = new();
    private readonly int _clusterBits;
    private readonly int _clusterSize;
    private readonly int _l2Entries;
    private readonly int _version;
    private readonly bool _ignoreFlush;
    private readonly TableCache<ulong> _l2Cache;
    private readonly TableCache<byte> _refCache;
    private int _errorsLogged;
    private ulong _size;

    public Qcow2Image(ImageFile file, Qcow2Header header, IBlockBackend? backing, BlockOpenOptions options, bool readOnly)
    {
        _file = file;
        _backing = backing;
        _clusterBits = header.ClusterBits;
        _clusterSize = header.ClusterSize;
        _l2Entries = _clusterSize / 8;
        _version = header.Version;
        _ignoreFlush = options.IgnoreFlush;
        _size = header.Size & ~511UL;
        ReadOnly = readOnly;
        SupportsDiscard = options.DiscardUnmap && !readOnly;
        _l2Cache = new TableCache<ulong>(Math.Clamp((16 << 20) / _clusterSize, 4, 32));
        _refCache = new TableCache<byte>(Math.Clamp((4 << 20) / _clusterSize, 4, 16));
        _refcountBits = header.RefcountBits;
        _refBlockEntries = (long)_clusterSize * 8 / _refcountBits;
        _l1 = LoadTable(header.L1TableOffset, (int)header.L1Size, "L1 table");
        _l1Offset = header.L1TableOffset;
        _refTable = LoadTable(header.RefcountTableOffset, (int)(header.RefcountTableClusters * (ulong)_l2Entries), "refcount table");
        _refTableOffset = header.RefcountTableOffset;
        long length = file.Length();
        _nextFree = AlignUp((ulong)Math.Max(length, 0));
        if (!readOnly && header.Autoclear != 0)
        {
            // Autoclear features (bitmaps, ...) describe data this writer does not keep up to date: clear them.
            Span<byte> zero = stackalloc byte[8];
            zero.Clear();
            Check(file.Write(88, zero), "clear the autoclear features");
        }
    }

    public ulong Size => Volatile.Read(ref _size);

    public bool ReadOnly { get; }

    public bool SupportsDiscard { get; }

    public string Path => _file.Path;

    /// <summary>The image below this one, or null (for reports).</summary>
    internal IBlockBackend? Backing => _backing;

    internal int ClusterSize => _clusterSize;

    internal ImageFile File => _file;

    public BlockStatus Read(ulong offset, Span<byte> destination)
    {
        if (!InRange(offset, (ulong)destination.Length))
        {
            return BlockStatus.OutOfRange;
        }

        while (!destination.IsEmpty)
        {
            int inCluster = (int)(offset & (ulong)(_clusterSize - 1));
            int chunk = Math.Min(destination.Length, _clusterSize - inCluster);
            ClusterMapping mapping;
            lock (_gate)
            {
                mapping = Map(offset);
                if (mapping.Kind == ClusterKind.Data)
                {
                    // Coalesce following clusters stored right after this one into one read.
                    while (chunk < destination.Length && Map(offset + (ulong)chunk) is { Kind: ClusterKind.Data } next &&
                        next.HostOffset == mapping.HostOffset + (ulong)(inCluster + chunk))
                    {
                        chunk += Math.Min(destination.Length - chunk, _clusterSize);
                    }
                }
            }

            BlockStatus status = ReadMapped(mapping, offset, destination[..chunk]);
            if (status != BlockStatus.Ok)
            {
                return status;
            }

            destination = destination[chunk..];
            offset += (ulong)chunk;
        }

        return BlockStatus.Ok;
    }

    public BlockStatus Write(ulong offset, ReadOnlySpan<byte> source)
    {
        if (ReadOnly)
        {
            return BlockStatus.Unsupported;
        }

        if (!InRange(offset, (ulong)source.Length))
        {
            return BlockStatus.OutOfRange;
        }

        while (!source.IsEmpty)
        {
            int inCluster = (int)(offset & (ulong)(_clusterSize - 1));
            int chunk = Math.Min(source.Length, _clusterSize - inCluster);
            ClusterMapping mapping;
            lock (_gate)
            {
                mapping = Map(offset);
            }

            BlockStatus status;
            if (mapping is { Kind: ClusterKind.Data, Owned: true })
            {
                status = Check(_file.Write(mapping.HostOffset + (ulong)inCluster, source[..chunk]), "write data");
            }
            else
            {
                lock (_gate)
                {
                    status = WriteAllocating(offset, source[..chunk]);
                }
            }

            if (status != BlockStatus.Ok)
            {
                return status;
            }

            source = source[chunk..];
            offset += (ulong)chunk;
        }

        return BlockStatus.Ok;
    }

    public BlockStatus Flush() => _ignoreFlush || ReadOnly ? BlockStatus.Ok : Check(_file.Sync(), "flush");

    public void Dispose()
    {
        _file.Dispose();
        _backing?.Dispose();
    }

    /// <summary>Reads one mapped piece (one cluster, or several consecutive data clusters).</summary>
    private BlockStatus ReadMapped(ClusterMapping mapping, ulong offset, Span<byte> destination)
    {
        switch (mapping.Kind)
        {
            case ClusterKind.Unallocated:
                return ReadBacking(offset, destination);
            case ClusterKind.Zero:
                destination.Clear();
                return BlockStatus.Ok;
            case ClusterKind.Data:
                return Check(_file.Read(mapping.HostOffset + (offset & (ulong)(_clusterSize - 1)), destination), "read data");
            case ClusterKind.Compressed:
                byte[] cluster = ArrayPool<byte>.Shared.Rent(_clusterSize);
                try
                {
                    BlockStatus status = Decompress(mapping.Entry, cluster.AsSpan(0, _clusterSize));
                    if (status == BlockStatus.Ok)
                    {
                        cluster.AsSpan((int)(offset & (ulong)(_clusterSize - 1)), destination.Length).CopyTo(destination);
                    }

                    return status;
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(cluster);
                }

            default:
                return BlockStatus.IoError;
        }
    }

    /// <summary>What an unallocated range holds: the backing image's data, zeroes beyond its end or without one.</summary>
    private BlockStatus ReadBacking(ulong offset, Span<byte> destination)
    {
        if (_backing is null)
        {
            destination.Clear();
            return BlockStatus.Ok;
        }

        ulong backingSize = _backing.Size;
        int available = offset >= backingSize ? 0 : (int)Math.Min((ulong)destination.Length, backingSize - offset);
        destination[available..].Clear();
        return available == 0 ? BlockStatus.Ok : _backing.Read(offset, destination[..available]);
    }

    private bool InRange(ulong offset, ulong length)
    {
        ulong size = Size;
        return offset <= size && length <= size - offset;
    }

    private ulong AlignUp(ulong value) => (value + (ulong)_clusterSize - 1) & ~(ulong)(_clusterSize - 1);

    /// <summary>Maps a file call's result onto a status, logging failures (the first few, then every 1000th).</summary>
    private BlockStatus Check(int result, string operation)
    {
        if (result == 0)
        {
            return BlockStatus.Ok;
        }

        return Fail("host I/O failed", operation, Libc.ErrorText(-result));
    }

    /// <summary>Logs a corrupt-metadata or I/O problem, rate-limited, and returns IoError.</summary>
    private BlockStatus Fail(string problem, string operation, string detail)
    {
        int count = Interlocked.Increment(ref _errorsLogged);
        if (count <= 10 || count % 1000 == 0)
        {
            s_log.Warn("qcow2 image {Path}: {Problem} ({Operation}: {Detail})", _file.Path, problem, operation, detail);
        }

        return BlockStatus.IoError;
    }
}
