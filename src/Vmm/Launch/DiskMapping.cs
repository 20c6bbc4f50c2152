using Kvm.DomainXml.Model;
using Kvm.Vmm.Block;
using Kvm.Vmm.Devices.Virtio.Block;
using Kvm.Vmm.Machine;
using Kvm.Vmm.Support;

namespace Kvm.Vmm.Launch;

/// <summary>
/// A domain's <c>&lt;disk&gt;</c> elements as kvm-vmm's virtio-blk disks: which ones it can run (file or block
/// sources, raw or qcow2, on the virtio bus, at a slot of PCI bus 0) and how their images are opened, as libvirt's
/// QEMU driver maps <c>&lt;driver cache discard queues&gt;</c>, <c>&lt;readonly/&gt;</c>, <c>&lt;shareable/&gt;</c>,
/// <c>&lt;serial&gt;</c> and <c>&lt;backingStore&gt;</c>.
/// </summary>
internal static class DiskMapping
{
    /// <summary>Why kvm-vmm cannot run <paramref name="disk"/>, or null when it can.</summary>
    public static string? Unsupported(DiskDef disk) => VmmSupport.Disk(disk);

    /// <summary>Opens the images of the disks kvm-vmm runs; on failure closes what it opened and says which disk failed.</summary>
    public static List<DiskConfig> Open(IEnumerable<DiskDef> disks, string file, Action<string> warn)
    {
        var opened = new List<DiskConfig>();
        int nodeIndex = 1;
        try
        {
            foreach (var disk in disks)
            {
                if (Unsupported(disk) is not null)
                {
                    // libvirt numbers the nodes of every disk's chain, ours or not.
                    nodeIndex += 1 + (disk.BackingChain?.Count ?? 0);
                    continue;
                }

                IBlockBackend backend;
                try
                {
                    backend = BlockBackends.Open(Options(disk));
                }
                catch (BlockException e)
                {
                    throw new LaunchException($"{file}: disk {disk.TargetDev}: {e.Message}");
                }

                opened.Add(new DiskConfig(backend, new VirtioBlockConfig
                {
                    Name = disk.TargetDev,
                    Serial = disk.Serial,
                    Queues = (int)Math.Clamp(disk.Queues ?? 1, 1, 64),
                    WriteCache = disk.Cache is not ("writethrough" or "directsync"),
                    AsyncIo = disk.Io != "threads",
                }, PciSlotMapping.Slot(disk.PciAddress, $"disk {disk.TargetDev}", warn))
                {
                    Monitor = new DiskMonitorInfo
                    {
                        DeviceId = Alias(disk.TargetDev),
                        NodeIndex = nodeIndex,
                        Direct = disk.Cache is "none" or "directsync",
                        NoFlush = disk.Cache == "unsafe",
                    },
                });
                nodeIndex += 1 + (BlockImageInfo.Of(backend)?.Depth ?? 0);
            }

            return opened;
        }
        catch
        {
            foreach (var disk in opened)
            {
                disk.Backend.Dispose();
            }

            throw;
        }
    }

    public static BlockOpenOptions Options(DiskDef disk) => new()
    {
        Path = disk.Source!,
        Format = Format(disk.DriverType),
        ReadOnly = disk.ReadOnly,
        Direct = disk.Cache is "none" or "directsync",
        IgnoreFlush = disk.Cache == "unsafe",
        DiscardUnmap = disk.Discard == "unmap",
        Shareable = disk.Shareable,
        Backing = disk.BackingChain?.Select(b => new BackingImage(b.Source!, Format(b.Format))).ToList(),
    };

    /// <summary>
    /// libvirt's alias of a virtio disk: <c>virtio-disk</c> and the index its target name stands for (vda 0, vdb 1, vdz
    /// 25, vdaa 26; virDiskNameToIndex), so vdb alone is virtio-disk1, as under libvirt.
    /// </summary>
    public static string Alias(string targetDev)
    {
        string letters = targetDev.StartsWith("vd", StringComparison.Ordinal) ? targetDev[2..] : targetDev;
        int index = 0;
        if (letters.Length == 0)
        {
            return $"virtio-disk-{targetDev}";
        }

        foreach (char c in letters)
        {
            if (c is < 'a' or > 'z' || index > 100_000)
            {
                return $"virtio-disk-{targetDev}";
            }

            index = (index * 26) + (c - 'a' + 1);
        }

        return $"virtio-disk{index - 1}";
    }

    /// <summary>The bus, or the one libvirt derives from the target name (vdX: virtio, sdX: scsi, hdX: ide).</summary>
    private static string Bus(DiskDef disk) => VmmSupport.DiskBus(disk);

    private static ImageFormat Format(string? type) => type == "qcow2" ? ImageFormat.Qcow2 : ImageFormat.Raw;
}
