using Kvm.Driver.Domains;

namespace Kvm.Driver.NodeDevices;

/// <summary>libvirt's node device driver messages (node_device_driver.c), each returning the exception.</summary>
internal static class NodeDeviceErrors
{
    public const VirErrorCode NoNodeDevice = (VirErrorCode)53; // VIR_ERR_NO_NODE_DEVICE

    public static DomainOperationException NoDeviceByName(string name) =>
        new(NoNodeDevice, $"Node device not found: no node device with matching name '{name}'");

    /// <summary>nodeDeviceGetParent on the root.</summary>
    public static DomainOperationException NoParent() => DomainErrors.Internal("no parent for this device");

    /// <summary>nodeDeviceDestroy on a device that is neither a vHBA nor a mediated device: every device kvmd reports.</summary>
    public static DomainOperationException UnsupportedDeviceType() => DomainErrors.ConfigUnsupported("Unsupported device type");
}
