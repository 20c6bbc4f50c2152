namespace Kvm.Driver.NodeDevices;

/// <summary>virConnectListAllNodeDeviceFlags: one bit per capability type (libvirt 9.0), then active and inactive.</summary>
[Flags]
public enum NodeDeviceCapabilities : uint
{
    None = 0,
    System = 1u << 0,
    PciDev = 1u << 1,
    UsbDev = 1u << 2,
    UsbInterface = 1u << 3,
    Net = 1u << 4,
    ScsiHost = 1u << 5,
    ScsiTarget = 1u << 6,
    Scsi = 1u << 7,
    Storage = 1u << 8,
    FcHost = 1u << 9,
    Vports = 1u << 10,
    ScsiGeneric = 1u << 11,
    Drm = 1u << 12,
    MdevTypes = 1u << 13,
    Mdev = 1u << 14,
    CcwDev = 1u << 15,
    CssDev = 1u << 16,
    Vdpa = 1u << 17,
    ApCard = 1u << 18,
    ApQueue = 1u << 19,
    ApMatrix = 1u << 20,
    Vpd = 1u << 21,
    Inactive = 1u << 30,
    Active = 1u << 31,
}
