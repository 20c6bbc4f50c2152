namespace Kvm.Vmm.Devices.Virtio.Block;

/// <summary>What a virtio-blk device is given besides its image: its serial, queues and limits.</summary>
public sealed record VirtioBlockConfig
{
    /// <summary>Enough for the queue depths guests use by default (Linux's fio and dd jobs: 1 to 32).</summary>
    public const int DefaultMaxInFlight = 16;

    /// <summary>The <c>&lt;serial&gt;</c>, answered to GET_ID (at most 20 bytes are sent, as the specification says).</summary>
    public string? Serial { get; init; }

    /// <summary><c>&lt;driver queues='N'&gt;</c>: request queues (VIRTIO_BLK_F_MQ when more than one).</summary>
    public int Queues { get; init; } = 1;

    public ushort QueueSize { get; init; } = 256;

    /// <summary>
    /// Requests each queue serves at once (on threads started as the load needs them): the host sees that many reads
    /// and writes in flight, as with QEMU's aio thread pool. 1 serves one request at a time on the queue's thread.
    /// </summary>
    public int MaxInFlight { get; init; } = DefaultMaxInFlight;

    /// <summary>
    /// Reads and writes of an image opened with O_DIRECT go through Linux AIO on the queue's thread (QEMU's aio=native),
    /// not through server threads; false for <c>io='threads'</c>. Images without O_DIRECT always use threads.
    /// </summary>
    public bool AsyncIo { get; init; } = true;

    /// <summary>Whether FLUSH is offered (the image's cache mode has a write-back cache to flush).</summary>
    public bool WriteCache { get; init; } = true;

    /// <summary>The device name for logs and QMP, e.g. the target dev "vda".</summary>
    public string Name { get; init; } = "virtio-blk";
}
