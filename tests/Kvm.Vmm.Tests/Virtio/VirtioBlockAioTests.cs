using System.Buffers.Binary;
using Kvm.Vmm.Block;
using Kvm.Vmm.Devices.Virtio;
using Kvm.Vmm.Devices.Virtio.Block;
using Kvm.Vmm.Interop;
using Kvm.Vmm.Memory;
using Kvm.Vmm.Tests.Block;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Virtio;

/// <summary>
/// virtio-blk's Linux AIO path (<see cref="VirtioBlockAio"/>) on real guest memory, a real split ring kicked through a
/// real eventfd and real O_DIRECT images on disk (raw, and qcow2 made and checked by qemu-img): page-aligned reads and
/// writes go through io_submit with no server thread, what they cannot take (unaligned buffers, clusters a qcow2 write
/// must allocate, flushes) goes through the threads, and a host I/O error fails just that request.
/// </summary>
public sealed class VirtioBlockAioTests
{
    private const ulong Descriptors = 0x1000;
    private const ulong Avail = 0x3000;
    private const ulong Used = 0x4000;
    private const ulong Headers = 0x8000; // 16-byte headers every 32 bytes, then status bytes
    private const ulong Statuses = 0xC000;
    private const ulong Data = 0x100000; // page-aligned data buffers
    private const ushort Size = 64;
    private const int DiskBytes = 4 << 20;

    private string _dir = null!;
    private GuestMemory _memory = null!;
    private SplitRingDriver _driver = null!;
    private EventFd _kick = null!;
    private Interrupts _interrupt = null!;
    private ushort _nextDescriptor;

    [SetUp]
    public void SetUp()
    {
        _dir = QemuTools.ScratchDirectory("aio");
        _memory = GuestMemory.Allocate([(0, 8 << 20)]);
        _kick = EventFd.Create();
        _interrupt = new Interrupts();
    }

    [TearDown]
    public void TearDown()
    {
        _kick.Dispose();
        _memory.Dispose();
        QemuTools.DeleteScratch(_dir);
    }

    [Test]
    public void AlignedReadsAndWrites_GoThroughAio_WithoutServerThreads_AndReachTheImage()
    {
        string image = Path.Combine(_dir, "disk.raw");
        File.WriteAllBytes(image, new byte[DiskBytes]);
        var expected = new byte[DiskBytes];
        using (var backend = BlockBackends.Open(new BlockOpenOptions { Path = image, Format = ImageFormat.Raw, Direct = true }))
        using (var device = Start(backend))
        {
            // 12 writes at once, each of two 4 KiB pages, then reading them back into other pages.
            var random = new Random(11);
            for (int i = 0; i < 12; i++)
            {
                ulong buffer = Data + ((ulong)i * 0x2000);
                random.NextBytes(_memory.GetSpan(buffer, 0x2000));
                _memory.GetSpan(buffer, 0x2000).CopyTo(expected.AsSpan((i * 3 + 1) * 0x2000));
                AddRequest(i, VirtioBlockRequest.Out, (ulong)(i * 3 + 1) * 16, (buffer, 0x1000, false), (buffer + 0x1000, 0x1000, false));
            }

            Run(12);
            for (int i = 0; i < 12; i++)
            {
                AddRequest(i, VirtioBlockRequest.In, (ulong)(i * 3 + 1) * 16, (Data + 0x40000 + ((ulong)i * 0x2000), 0x2000, true));
            }

            Run(24);
            Assert.That(Enumerable.Range(0, 24).Select(i => _driver.UsedElement((ushort)i).Length).Skip(12), Is.All.EqualTo(0x2001u), "reads: data plus status");
            Assert.That(device.AsyncRequests, Is.EqualTo(24));
            Assert.That(device.ThreadRequests, Is.Zero);
            Assert.That(device.ServerThreads, Is.Zero, "no request needed a server thread");
            for (int i = 0; i < 12; i++)
            {
                Assert.That(_memory.GetSpan(Data + 0x40000 + ((ulong)i * 0x2000), 0x2000).ToArray(), Is.EqualTo(expected.AsSpan((i * 3 + 1) * 0x2000, 0x2000).ToArray()), $"read {i}");
            }
        }

        Assert.That(File.ReadAllBytes(image), Is.EqualTo(expected));
        Assert.That(_interrupt.Failed, Is.False);
        Assert.That(_interrupt.Notifications, Is.GreaterThan(0));
    }

    [Test]
    public void SequentialRequestsOfOneBatch_AreMergedIntoOneHostIo_AndEachCompletesWithItsOwnStatus()
    {
        string image = Path.Combine(_dir, "merge.raw");
        File.WriteAllBytes(image, new byte[DiskBytes]);
        var expected = new byte[DiskBytes];
        using (var backend = BlockBackends.Open(new BlockOpenOptions { Path = image, Format = ImageFormat.Raw, Direct = true }))
        using (var device = Start(backend))
        {
            // Six 8 KiB writes one after another on the disk (each from its own, scattered pages), one kick: one batch.
            var random = new Random(5);
            for (int i = 0; i < 6; i++)
            {
                ulong buffer = Data + ((ulong)(5 - i) * 0x2000);
                random.NextBytes(_memory.GetSpan(buffer, 0x2000));
                _memory.GetSpan(buffer, 0x2000).CopyTo(expected.AsSpan(0x10000 + (i * 0x2000)));
                AddRequest(i, VirtioBlockRequest.Out, (ulong)(0x10000 + (i * 0x2000)) / 512, (buffer, 0x1000, false), (buffer + 0x1000, 0x1000, false));
            }

            Run(6);
            long mergedWrites = device.MergedRequests;
            Assert.That(Enumerable.Range(0, 6).Select(Status), Is.All.EqualTo(VirtioBlockRequest.StatusOk), "each write's own status");

            // Read them back the same way.
            for (int i = 0; i < 6; i++)
            {
                AddRequest(i, VirtioBlockRequest.In, (ulong)(0x10000 + (i * 0x2000)) / 512, (Data + 0x40000 + ((ulong)i * 0x2000), 0x2000, true));
            }

            Run(12);
            Assert.That(Enumerable.Range(0, 6).Select(Status), Is.All.EqualTo(VirtioBlockRequest.StatusOk), "each read's own status");
            Assert.That(Enumerable.Range(6, 6).Select(i => _driver.UsedElement((ushort)i).Length), Is.All.EqualTo(0x2001u), "each read: its data plus status");
            Assert.That(mergedWrites, Is.GreaterThan(0), "the sequential writes went out together");
            Assert.That(device.MergedRequests, Is.GreaterThan(mergedWrites), "and so did the reads");
            Assert.That(device.AsyncRequests, Is.EqualTo(12), "every request counted once, merged or not");
            Assert.That(_memory.GetSpan(Data + 0x40000, 6 * 0x2000).ToArray(), Is.EqualTo(expected.AsSpan(0x10000, 6 * 0x2000).ToArray()));
        }

        Assert.That(File.ReadAllBytes(image), Is.EqualTo(expected));
        Assert.That(_interrupt.Failed, Is.False);
    }

    [Test]
    public void UnalignedBuffersAndFlush_AreServedOnThreads_WithTheSameResult()
    {
        string image = Path.Combine(_dir, "disk.raw");
        var content = new byte[DiskBytes];
        new Random(5).NextBytes(content);
        File.WriteAllBytes(image, content);
        using var backend = BlockBackends.Open(new BlockOpenOptions { Path = image, Format = ImageFormat.Raw, Direct = true });
        using var device = Start(backend);
        AddRequest(0, VirtioBlockRequest.In, 3, (Data + 0x200, 0x600, true)); // 512-byte aligned only
        AddRequest(1, VirtioBlockRequest.Flush, 0);
        Run(2);
        Assert.That(Status(0), Is.EqualTo(VirtioBlockRequest.StatusOk));
        Assert.That(Status(1), Is.EqualTo(VirtioBlockRequest.StatusOk));
        Assert.That(_memory.GetSpan(Data + 0x200, 0x600).ToArray(), Is.EqualTo(content.AsSpan(3 * 512, 0x600).ToArray()));
        Assert.That(device.AsyncRequests, Is.Zero);
        Assert.That(device.ServerThreads, Is.GreaterThan(0));
    }

    [Test]
    public void Qcow2_WritesThatAllocateUseThreads_OverwritesAndReadsUseAio_AndQemuImgAgrees()
    {
        QemuTools.Require();
        string image = Path.Combine(_dir, "disk.qcow2");
        QemuTools.ImgOk("create", "-q", "-f", "qcow2", "-o", "cluster_size=65536", image, DiskBytes.ToString());
        var expected = new byte[DiskBytes];
        var random = new Random(23);
        using (var backend = BlockBackends.Open(new BlockOpenOptions { Path = image, Format = ImageFormat.Qcow2, Direct = true }))
        using (var device = Start(backend))
        {
            for (int round = 0; round < 2; round++)
            {
                // Eight 64 KiB writes at once, over clusters 0-7 (allocated in the first round, overwritten in the second).
                for (int i = 0; i < 8; i++)
                {
                    ulong buffer = Data + ((ulong)i * 0x10000);
                    random.NextBytes(_memory.GetSpan(buffer, 0x10000));
                    _memory.GetSpan(buffer, 0x10000).CopyTo(expected.AsSpan(i * 0x10000));
                    AddRequest(i, VirtioBlockRequest.Out, (ulong)i * 128, (buffer, 0x10000, false));
                }

                Run((ushort)(8 * (round + 1)));
            }

            Assert.That(device.AsyncRequests, Is.EqualTo(8), "the overwrites of owned clusters went through AIO");
            Assert.That(device.ThreadRequests, Is.EqualTo(8), "the allocating writes were served synchronously");
            Assert.That(device.ServerThreads, Is.GreaterThan(0), "the allocating writes went through threads");
            AddRequest(0, VirtioBlockRequest.In, 0, (Data + 0x200000, 0x80000, true));
            Run(17);
            Assert.That(device.AsyncRequests, Is.EqualTo(9), "the read of eight clusters (allocated in any order) is one AIO request");
            Assert.That(_memory.GetSpan(Data + 0x200000, 0x80000).ToArray(), Is.EqualTo(expected.AsSpan(0, 0x80000).ToArray()));
        }

        string check = QemuTools.ImgOk("check", image);
        Assert.That(check, Does.Contain("No errors were found"));
        string raw = Path.Combine(_dir, "expected.raw");
        File.WriteAllBytes(raw, expected);
        QemuTools.ImgOk("compare", "-f", "qcow2", "-F", "raw", image, raw);
    }

    [Test]
    public void Qcow2FilledByQemuIo_ReadsAndOverwritesOfWholeMegabytes_AllGoThroughAio()
    {
        // The disk benchmark's image: qemu-img create, then qemu-io writes a pattern over all of it.
        QemuTools.Require();
        string image = Path.Combine(_dir, "filled.qcow2");
        QemuTools.ImgOk("create", "-q", "-f", "qcow2", image, DiskBytes.ToString());
        QemuTools.IoOk("qcow2", image, $"write -q -P 0x5a 0 {DiskBytes}");
        using var backend = BlockBackends.Open(new BlockOpenOptions { Path = image, Format = ImageFormat.Qcow2, Direct = true });
        using var device = Start(backend);
        for (int i = 0; i < 4; i++)
        {
            // 1 MiB in 64 KiB pieces (a guest merges physically adjacent pages of fio's buffer into one segment).
            var pages = Enumerable.Range(0, 16).Select(p => (Data + (ulong)(i * 0x100000) + (ulong)(p * 0x10000), 0x10000u, i % 2 == 0)).ToArray();
            AddRequest(i, i % 2 == 0 ? VirtioBlockRequest.In : VirtioBlockRequest.Out, (ulong)i * 2048, pages);
            Run((ushort)(i + 1));
            Assert.That(Status(i), Is.EqualTo(VirtioBlockRequest.StatusOk));
        }

        Assert.That(_memory.GetSpan(Data, 0x100000).ToArray(), Is.All.EqualTo(0x5a));
        Assert.That(device.AsyncRequests, Is.EqualTo(4), "every request through AIO");
        Assert.That(device.ServerThreads, Is.Zero);
    }

    [Test]
    public void HostReadError_FailsThatRequestWithIoError_AndReportsIt()
    {
        string image = Path.Combine(_dir, "disk.raw");
        File.WriteAllBytes(image, new byte[DiskBytes]);
        using var backend = BlockBackends.Open(new BlockOpenOptions { Path = image, Format = ImageFormat.Raw, Direct = true });
        using var device = Start(backend, out var errors);
        // The file shrinks under the disk (as a failing or truncated host file would): the read past its end comes back short.
        using (var file = new FileStream(image, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            file.SetLength(DiskBytes / 2);
        }

        AddRequest(0, VirtioBlockRequest.In, (DiskBytes / 512) - 8, (Data, 0x1000, true));
        AddRequest(1, VirtioBlockRequest.In, 0, (Data + 0x1000, 0x1000, true));
        Run(2);
        Assert.That(Status(0), Is.EqualTo(VirtioBlockRequest.StatusIoError));
        Assert.That(Status(1), Is.EqualTo(VirtioBlockRequest.StatusOk));
        Assert.That(_driver.UsedElement(0).Length + _driver.UsedElement(1).Length, Is.EqualTo(1u + 0x1001u), "the failed read wrote only its status");
        Assert.That(device.Stats.FailedReads, Is.EqualTo(1));
        Assert.That(errors, Is.EqualTo(new[] { BlockIoOperation.Read }));
        Assert.That(device.AsyncRequests, Is.EqualTo(2));
    }

    private VirtioBlock Start(IBlockBackend backend) => Start(backend, out _);

    private VirtioBlock Start(IBlockBackend backend, out List<BlockIoOperation> errors)
    {
        var queue = new Virtqueue(Size) { Size = Size, DescriptorTable = Descriptors, AvailableRing = Avail, UsedRing = Used };
        Assert.That(queue.TryActivate(_memory, eventIdx: false, indirect: false, out string? error), Is.True, error);
        _driver = new SplitRingDriver(_memory, Size, Descriptors, Avail, Used);
        var device = new VirtioBlock(backend, new VirtioBlockConfig { QueueSize = Size });
        var seen = new List<BlockIoOperation>();
        device.IoError += operation =>
        {
            lock (seen)
            {
                seen.Add(operation);
            }
        };
        errors = seen;
        device.Activate(new VirtioActivation(_memory, 0, [queue], [_kick], _interrupt));
        return device;
    }

    /// <summary>Request <paramref name="slot"/>: its header and status byte at fixed places, its data buffers between.</summary>
    private void AddRequest(int slot, uint type, ulong sector, params (ulong Address, uint Length, bool Writable)[] data)
    {
        ulong header = Headers + ((ulong)slot * 32);
        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, type);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[8..], sector);
        _memory.Write(header, bytes);
        _memory.Write(Statuses + (ulong)slot, [0xee]);
        int count = data.Length + 2;
        if (_nextDescriptor + count > Size)
        {
            _nextDescriptor = 0; // the chains before have completed by the time the table wraps
        }

        _driver.AddChain(_nextDescriptor, [(header, 16, false), .. data, (Statuses + (ulong)slot, 1, true)]);
        _nextDescriptor = (ushort)(_nextDescriptor + count);
    }

    private byte Status(int slot) => _memory.GetSpan(Statuses + (ulong)slot, 1)[0];

    /// <summary>Kicks and waits until the used idx reaches <paramref name="usedIdx"/>.</summary>
    private void Run(ushort usedIdx)
    {
        _kick.Signal();
        Assert.That(SpinWait.SpinUntil(() => _driver.UsedIdx == usedIdx, 20_000), Is.True, $"used idx {_driver.UsedIdx}, expected {usedIdx}");
    }

    private sealed class Interrupts : IVirtioInterrupt
    {
        private int _notifications;

        public int Notifications => Volatile.Read(ref _notifications);

        public bool Failed { get; private set; }

        public void NotifyQueue(int queue) => Interlocked.Increment(ref _notifications);

        public void NotifyConfigChange()
        {
        }

        public void Fail() => Failed = true;
    }
}
