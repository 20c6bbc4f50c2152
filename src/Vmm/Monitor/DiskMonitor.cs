using Kvm.Qmp;
using Kvm.Qmp.Commands;
using Kvm.Vmm.Block;
using Kvm.Vmm.Devices.Virtio.Block;
using Kvm.Vmm.Machine;
using Kvm.Vmm.Pci;

namespace Kvm.Vmm.Monitor;

/// <summary>
/// The machine's virtio disks as QEMU 7.2 under libvirt 9.0 shows them (-blockdev nodes, -device virtio-blk-pci): the
/// backend is anonymous (<c>device: ""</c>), the device is found by its QOM path
/// <c>/machine/peripheral/virtio-diskN/virtio-backend</c>, the top image is node <c>libvirt-N-format</c> over the file
/// node <c>libvirt-N-storage</c>, and the backing images follow as N+1, N+2, ...
/// </summary>
internal sealed partial class DiskMonitor
{
    private readonly Disk[] _disks;

    /// <param name="disks">The machine's disks in configuration order (<see cref="PcMachine.Disks"/>).</param>
    /// <param name="configs">Their configurations, in the same order.</param>
    public DiskMonitor(IReadOnlyList<(PciAddress Address, VirtioBlock Disk)> disks, IReadOnlyList<DiskConfig> configs)
    {
        _disks = new Disk[disks.Count];
        int nextNode = 1;
        for (int i = 0; i < disks.Count; i++)
        {
            var config = i < configs.Count ? configs[i] : null;
            var info = config?.Monitor ?? new DiskMonitorInfo { DeviceId = $"virtio-disk{i}", NodeIndex = nextNode };
            _disks[i] = new Disk(disks[i].Address, disks[i].Disk, info, config?.Device.WriteCache ?? true);
            nextNode = info.NodeIndex + 1 + (BlockImageInfo.Of(disks[i].Disk.Backend)?.Depth ?? 0);
        }
    }

    /// <summary>The device id of the disk at <paramref name="address"/>, or null.</summary>
    public string? DeviceIdAt(PciAddress address) => Array.Find(_disks, d => d.Address == address)?.Info.DeviceId;

    /// <summary>
    /// Turns the disks' image errors into BLOCK_IO_ERROR as QEMU sends it for a virtio disk under libvirt: action
    /// "report" (the guest gets the error), the format node's name, nospace false (the backend's status carries no
    /// errno, so ENOSPC cannot be told apart) and reason "Input/output error".
    /// </summary>
    public void ReportErrorsTo(IQmpEventSink events)
    {
        foreach (var disk in _disks)
        {
            string nodeName = FormatNode(disk.Info.NodeIndex);
            disk.Device.IoError += operation => events.Emit(
                "BLOCK_IO_ERROR",
                new QmpBlockIoErrorEventData(string.Empty, false, nodeName, "Input/output error", operation == BlockIoOperation.Read ? "read" : "write", "report"),
                QmpJsonContext.Default.QmpBlockIoErrorEventData);
        }
    }

    public IReadOnlyList<QmpBlockInfo> QueryBlock() => [.. _disks.Select(Describe)];

    /// <summary>block_resize: the disk by device id, QOM path or target name (device), or by its top node names.</summary>
    public void Resize(string? device, string? nodeName, long size)
    {
        var disk = Find(device, nodeName, out bool backingNode) ?? throw QmpBlockErrors.NotFound(device, nodeName);
        if (backingNode)
        {
            throw new QmpException(QmpErrorClass.GenericError, $"Node '{nodeName}' is a backing image: only a disk's top image can be resized");
        }

        if (size < 0)
        {
            throw QmpBlockErrors.NegativeSize();
        }

        var backend = disk.Device.Backend;
        if (backend.ReadOnly)
        {
            throw QmpBlockErrors.ReadOnly();
        }

        if (size % 512 != 0)
        {
            throw new QmpException(QmpErrorClass.GenericError, "The new size must be a multiple of 512");
        }

        ulong old = backend.Size;
        var status = (ulong)size == old ? BlockStatus.Ok : disk.Device.Resize((ulong)size);
        var image = BlockImageInfo.Of(backend);
        string? error = status switch
        {
            BlockStatus.Ok => null,
            BlockStatus.Unsupported when image?.IsBlockDevice == true => (ulong)size > old ? "Cannot grow device files" : "Cannot shrink device files",
            BlockStatus.Unsupported when image?.Format == ImageFormat.Qcow2 => "qcow2 doesn't support shrinking images yet",
            BlockStatus.Unsupported => "Cannot resize this image",
            BlockStatus.OutOfRange => "Could not resize file: File too large",
            BlockStatus.IoError => "Could not resize file: Input/output error",
        };
        if (error is not null)
        {
            throw new QmpException(QmpErrorClass.GenericError, error);
        }
    }

    private Disk? Find(string? device, string? nodeName, out bool backingNode)
    {
        backingNode = false;
        if (device is not null)
        {
            var byDevice = Array.Find(_disks, d => device == d.Info.DeviceId || device == Qdev(d) || device == d.Device.Name);
            if (byDevice is not null)
            {
                return byDevice;
            }
        }

        if (nodeName is null)
        {
            return null;
        }

        foreach (var disk in _disks)
        {
            int depth = BlockImageInfo.Of(disk.Device.Backend)?.Depth ?? 0;
            for (int level = 0; level <= depth; level++)
            {
                if (nodeName == FormatNode(disk.Info.NodeIndex + level) || nodeName == StorageNode(disk.Info.NodeIndex + level))
                {
                    backingNode = level > 0;
                    return disk;
                }
            }
        }

        return null;
    }

    private static QmpBlockInfo Describe(Disk disk)
    {
        var backend = disk.Device.Backend;
        var image = BlockImageInfo.Of(backend);
        return new QmpBlockInfo
        {
            IoStatus = "ok",
            Device = string.Empty,
            Inserted = image is null ? null : new QmpBlockDeviceInfo
            {
                Image = Image(image) with { VirtualSize = (long)backend.Size },
                ReadOnly = backend.ReadOnly,
                NodeName = FormatNode(disk.Info.NodeIndex),
                BackingFileDepth = image.Depth,
                Driver = FormatName(image.Format),
                BackingFile = image.Backing?.Path,
                Cache = new QmpBlockDeviceCacheInfo(disk.Info.NoFlush, disk.Info.Direct, disk.WriteCache),
                File = image.Path,
            },
            Qdev = Qdev(disk),
        };
    }

    private static QmpImageInfo Image(BlockImageInfo image) => new()
    {
        BackingImage = image.Backing is { } below ? Image(below) : null,
        BackingFilenameFormat = image.Backing is { } b ? FormatName(b.Format) : null,
        VirtualSize = (long)image.VirtualSize,
        Filename = image.Path,
        ClusterSize = image.ClusterSize,
        Format = FormatName(image.Format),
        ActualSize = image.AllocatedBytes,
        FullBackingFilename = image.Backing?.Path,
        BackingFilename = image.Backing?.Path,
        DirtyFlag = false,
    };

    private static string Qdev(Disk disk) => $"/machine/peripheral/{disk.Info.DeviceId}/virtio-backend";

    private static string FormatNode(int index) => $"libvirt-{index}-format";

    private static string StorageNode(int index) => $"libvirt-{index}-storage";

    private static string FormatName(ImageFormat format) => format switch
    {
        ImageFormat.Raw => "raw",
        ImageFormat.Qcow2 => "qcow2",
    };

    private sealed record Disk(PciAddress Address, VirtioBlock Device, DiskMonitorInfo Info, bool WriteCache);
}
