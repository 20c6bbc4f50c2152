namespace Kvm.Vmm.Devices.Virtio.Pci;

/// <summary>
/// Where the modern virtio-pci structures sit (virtio 1.2, 4.1.4): all in one 64-bit memory BAR, as QEMU lays them out,
/// plus the MSI-X table and pending bits. The capability ids and structure types are the specification's.
/// </summary>
internal static class VirtioPciLayout
{
    public const int Bar = 4;
    public const ulong BarSize = 0x8000;

    public const uint CommonOffset = 0x0000;
    public const uint CommonLength = 0x38;
    public const uint IsrOffset = 0x1000;
    public const uint IsrLength = 1;
    public const uint DeviceOffset = 0x2000;
    public const uint DeviceLength = 0x1000;
    public const uint NotifyOffset = 0x3000;
    public const uint NotifyLength = 0x1000;
    public const uint MsixTableOffset = 0x4000;
    public const uint MsixPbaOffset = 0x6000;

    /// <summary>Each queue's doorbell is 4 bytes after the previous one (queue_notify_off = the queue's index).</summary>
    public const uint NotifyOffMultiplier = 4;

    public const byte VendorCapability = 0x09; // PCI_CAP_ID_VNDR
    public const byte CommonCfg = 1; // VIRTIO_PCI_CAP_COMMON_CFG
    public const byte NotifyCfg = 2; // VIRTIO_PCI_CAP_NOTIFY_CFG
    public const byte IsrCfg = 3; // VIRTIO_PCI_CAP_ISR_CFG
    public const byte DeviceCfg = 4; // VIRTIO_PCI_CAP_DEVICE_CFG

    public const ushort VendorId = 0x1af4; // Red Hat, Inc. (virtio)
    public const ushort DeviceIdBase = 0x1040; // modern device id = 0x1040 + virtio device type
    public const ushort SubsystemId = 0x1100; // QEMU's subsystem id

    // struct virtio_pci_common_cfg (4.1.4.3).
    public const int DeviceFeatureSelect = 0x00;
    public const int DeviceFeature = 0x04;
    public const int DriverFeatureSelect = 0x08;
    public const int DriverFeature = 0x0c;
    public const int ConfigMsixVector = 0x10;
    public const int NumQueues = 0x12;
    public const int DeviceStatus = 0x14;
    public const int ConfigGeneration = 0x15;
    public const int QueueSelect = 0x16;
    public const int QueueSize = 0x18;
    public const int QueueMsixVector = 0x1a;
    public const int QueueEnable = 0x1c;
    public const int QueueNotifyOff = 0x1e;
    public const int QueueDesc = 0x20;
    public const int QueueDriver = 0x28;
    public const int QueueDevice = 0x30;
}
