using Kvm.Qmp.Commands;
using Kvm.Vmm.Block;
using Kvm.Vmm.Devices.Virtio.Block;

namespace Kvm.Vmm.Monitor;

/// <summary>query-blockstats: the device's counters on the format node, the file node as its parent, the chain below as backing.</summary>
internal sealed partial class DiskMonitor
{
    public IReadOnlyList<QmpBlockStats> QueryBlockstats(bool queryNodes)
    {
        if (!queryNodes)
        {
            return [.. _disks.Select(d => Chain(BlockImageInfo.Of(d.Device.Backend), d.Info.NodeIndex, d.Device.Stats) with
            {
                Device = string.Empty,
                Qdev = Qdev(d),
            })];
        }

        // Every named node, in the order libvirt creates them: each chain bottom-up, file node before format node.
        var nodes = new List<QmpBlockStats>();
        foreach (var disk in _disks)
        {
            var levels = new List<BlockImageInfo>();
            for (var image = BlockImageInfo.Of(disk.Device.Backend); image is not null; image = image.Backing)
            {
                levels.Add(image);
            }

            for (int level = levels.Count - 1; level >= 0; level--)
            {
                var top = level == 0 ? disk.Device.Stats : null;
                var file = FileNode(levels[level], disk.Info.NodeIndex + level, top);
                nodes.Add(file);
                nodes.Add(new QmpBlockStats
                {
                    Parent = file,
                    Stats = new QmpBlockDeviceStats { WrHighestOffset = top?.WriteHighestOffset ?? 0 },
                    NodeName = FormatNode(disk.Info.NodeIndex + level),
                });
            }
        }

        return nodes;
    }

    /// <summary>A format node with its file node and (at the backend level) the image below it.</summary>
    private static QmpBlockStats Chain(BlockImageInfo? image, int index, BlockStats? device)
    {
        return new QmpBlockStats
        {
            Parent = image is null ? null : FileNode(image, index, device),
            Stats = device is null ? new QmpBlockDeviceStats() : Counters(device),
            Backing = image?.Backing is { } below ? Chain(below, index + 1, null) : null,
            NodeName = FormatNode(index),
        };
    }

    /// <summary>
    /// The file node below a format node: for raw, guest offsets are file offsets and discards reach the file; for qcow2
    /// the highest offset written is taken as the file's end once the guest has written (the layout is the image's).
    /// </summary>
    private static QmpBlockStats FileNode(BlockImageInfo image, int index, BlockStats? device)
    {
        bool raw = image.Format == ImageFormat.Raw;
        long highest = device is null || device.WriteHighestOffset == 0 ? 0 : raw ? device.WriteHighestOffset : FileEnd(image.Path);
        return new QmpBlockStats
        {
            Stats = new QmpBlockDeviceStats { WrHighestOffset = highest },
            NodeName = StorageNode(index),
            DriverSpecific = new QmpBlockStatsSpecificFile
            {
                Driver = image.IsBlockDevice ? "host_device" : "file",
                DiscardOk = raw && device is not null ? device.DiscardOperations : 0,
                DiscardBytesOk = raw && device is not null ? device.DiscardBytes : 0,
            },
        };
    }

    private static QmpBlockDeviceStats Counters(BlockStats stats) => new()
    {
        UnmapOperations = stats.DiscardOperations,
        FlushTotalTimeNs = stats.FlushTotalNanoseconds,
        WrHighestOffset = stats.WriteHighestOffset,
        WrTotalTimeNs = stats.WriteTotalNanoseconds,
        FailedWrOperations = stats.FailedWrites,
        FailedRdOperations = stats.FailedReads,
        WrBytes = stats.WriteBytes,
        FailedUnmapOperations = stats.FailedDiscards,
        FailedFlushOperations = stats.FailedFlushes,
        AccountInvalid = true,
        RdTotalTimeNs = stats.ReadTotalNanoseconds,
        FlushOperations = stats.FlushOperations,
        WrOperations = stats.WriteOperations,
        UnmapBytes = stats.DiscardBytes,
        RdBytes = stats.ReadBytes,
        UnmapTotalTimeNs = stats.DiscardTotalNanoseconds,
        AccountFailed = true,
        IdleTimeNs = stats.Idle is { } idle ? (long)idle.TotalNanoseconds : null,
        RdOperations = stats.ReadOperations,
        InvalidWrOperations = stats.InvalidWrites,
        InvalidRdOperations = stats.InvalidReads,
    };

    private static long FileEnd(string path)
    {
        try
        {
            return new FileInfo(path).Length;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
