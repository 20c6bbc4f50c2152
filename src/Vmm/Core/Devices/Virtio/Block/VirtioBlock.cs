using System.Buffers.Binary;
using Kvm.Vmm.Block;
using R = Kvm.Vmm.Devices.Virtio.Block.VirtioBlockRequest;

namespace Kvm.Vmm.Devices.Virtio.Block;

/// <summary>
/// virtio-blk (virtio 1.2, 5.2) over an <see cref="IBlockBackend"/>: reads, writes, flush, GET_ID, discard and write
/// zeroes; each request queue has its own thread and up to <see cref="VirtioBlockConfig.MaxInFlight"/> requests in
/// flight: reads and writes of an O_DIRECT image through Linux AIO (<see cref="VirtioBlockAio"/>), the rest on server
/// threads. Data moves between the image and guest memory directly (the segments were checked to lie in RAM); a
/// request the guest got wrong fails with IOERR or UNSUPP, never the device.
/// </summary>
public sealed partial class VirtioBlock : IVirtioDevice
{
    private const int ConfigBytes = 60;

    private readonly IBlockBackend _backend;
    private readonly VirtioBlockConfig _config;
    private readonly Lock _gate = new();
    private QueueWorker[] _workers = [];
    private VirtioActivation? _activation;
    private ulong _capacitySectors;
    private long _asyncRequests;
    private long _mergedRequests;
    private long _threadRequests;

    public VirtioBlock(IBlockBackend backend, VirtioBlockConfig config)
    {
        if (config.Queues is < 1 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(config), config.Queues, "virtio-blk takes 1 to 64 queues");
        }

        if (config.MaxInFlight < 1 || config.MaxInFlight > config.QueueSize)
        {
            throw new ArgumentOutOfRangeException(nameof(config), config.MaxInFlight, "virtio-blk serves 1 to queue-size requests at once");
        }

        _backend = backend;
        _config = config;
        _capacitySectors = backend.Size / R.SectorSize;
        Features = R.FeatureSegMax | R.FeatureBlkSize
            | (config.WriteCache ? R.FeatureFlush : 0)
            | (backend.ReadOnly ? R.FeatureRo : R.FeatureDiscard | R.FeatureWriteZeroes)
            | (config.Queues > 1 ? R.FeatureMq : 0);
    }

    public ushort DeviceType => 2;

    public uint PciClassCode => 0x01_80_00; // mass storage, other

    public string Name => _config.Name;

    public ulong Features { get; }

    public int QueueCount => _config.Queues;

    public ushort QueueMaxSize => _config.QueueSize;

    public int ConfigSize => ConfigBytes;

    public IBlockBackend Backend => _backend;

    public BlockStats Stats { get; } = new();

    /// <summary>
    /// The image failed a read or write (the host's I/O error, not the guest's mistake); raised on a queue thread, at
    /// most once a second. The monitor turns it into QMP BLOCK_IO_ERROR.
    /// </summary>
    public event Action<BlockIoOperation>? IoError;

    /// <summary>Requests served through Linux AIO so far (the rest went through server threads).</summary>
    internal long AsyncRequests => Interlocked.Read(ref _asyncRequests);

    /// <summary>Of <see cref="AsyncRequests"/>, those merged into the host I/O of the request before them.</summary>
    internal long MergedRequests => Interlocked.Read(ref _mergedRequests);

    /// <summary>Requests served synchronously (on a queue's thread or its server threads): everything AIO declined.</summary>
    internal long ThreadRequests => Interlocked.Read(ref _threadRequests);

    /// <summary>Server threads the queues have started (none while every request goes through Linux AIO).</summary>
    internal int ServerThreads
    {
        get
        {
            lock (_gate)
            {
                return _workers.Sum(w => w.ServerThreads);
            }
        }
    }

    /// <summary>The disk's size in bytes, as the guest sees it.</summary>
    public ulong CapacityBytes => Volatile.Read(ref _capacitySectors) * R.SectorSize;

    public void ReadConfig(int offset, Span<byte> data)
    {
        Span<byte> config = stackalloc byte[ConfigBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(config, Volatile.Read(ref _capacitySectors)); // capacity
        BinaryPrimitives.WriteUInt32LittleEndian(config[12..], (uint)(_config.QueueSize - 2)); // seg_max
        BinaryPrimitives.WriteUInt32LittleEndian(config[20..], R.SectorSize); // blk_size
        config[32] = 1; // writeback (informational: the cache mode is the host's)
        BinaryPrimitives.WriteUInt16LittleEndian(config[34..], (ushort)_config.Queues); // num_queues
        BinaryPrimitives.WriteUInt32LittleEndian(config[36..], R.MaxRangeSectors); // max_discard_sectors
        BinaryPrimitives.WriteUInt32LittleEndian(config[40..], R.MaxRangeSegments); // max_discard_seg
        BinaryPrimitives.WriteUInt32LittleEndian(config[44..], 1); // discard_sector_alignment
        BinaryPrimitives.WriteUInt32LittleEndian(config[48..], R.MaxRangeSectors); // max_write_zeroes_sectors
        BinaryPrimitives.WriteUInt32LittleEndian(config[52..], R.MaxRangeSegments); // max_write_zeroes_seg
        config[56] = _backend.SupportsDiscard ? (byte)1 : (byte)0; // write_zeroes_may_unmap
        if (offset >= 0 && offset + data.Length <= ConfigBytes)
        {
            config.Slice(offset, data.Length).CopyTo(data);
        }
    }

    public void WriteConfig(int offset, ReadOnlySpan<byte> data)
    {
        // Only 'writeback' is writable, and only with VIRTIO_BLK_F_CONFIG_WCE, which is not offered.
    }

    public void Activate(VirtioActivation activation)
    {
        lock (_gate)
        {
            _activation = activation;
            var workers = new List<QueueWorker>();
            for (int i = 0; i < activation.Queues.Count; i++)
            {
                if (activation.Queues[i] is { } queue)
                {
                    var aio = _config.AsyncIo ? VirtioBlockAio.TryCreate(this, _backend, activation.Memory, _config.MaxInFlight, _config.QueueSize) : null;
                    if (aio is not null)
                    {
                        aio.Submitted = n => Interlocked.Add(ref _asyncRequests, n);
                        aio.Merged = () => Interlocked.Increment(ref _mergedRequests);
                    }

                    workers.Add(new QueueWorker(Name, i, queue, activation.Kicks[i], activation.Interrupt, chain => Serve(activation, chain), _config.MaxInFlight, aio));
                }
            }

            _workers = [.. workers];
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            foreach (var worker in _workers)
            {
                worker.Dispose();
            }

            _workers = [];
            _activation = null;
        }
    }

    /// <summary>Changes the disk's size (QMP block_resize): the image grows or shrinks, then the guest is told.</summary>
    public BlockStatus Resize(ulong bytes)
    {
        var status = _backend.Resize(bytes);
        if (status == BlockStatus.Ok)
        {
            Volatile.Write(ref _capacitySectors, _backend.Size / R.SectorSize);
            _activation?.Interrupt.NotifyConfigChange();
        }

        return status;
    }

    /// <summary>Stops the queues; the image stays open (its owner closes it, and a machine reset keeps it).</summary>
    public void Dispose()
    {
        Reset();
        if (AsyncRequests + ThreadRequests > 0)
        {
            s_log.Info("{Device}: {Async} requests served through Linux AIO ({Merged} of them merged into the one before), {Threads} on the queues' threads",
                Name, AsyncRequests, MergedRequests, ThreadRequests);
        }
    }
}
