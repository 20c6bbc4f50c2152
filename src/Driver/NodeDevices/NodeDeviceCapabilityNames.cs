namespace Kvm.Driver.NodeDevices;

/// <summary>The one table of capability type names (virNodeDevCapType's strings) for the capabilities kvmd reports.</summary>
public static class NodeDeviceCapabilityNames
{
    public static string Name(NodeDeviceCapabilities capability) => capability switch
    {
        NodeDeviceCapabilities.System => "system",
        NodeDeviceCapabilities.PciDev => "pci",
        NodeDeviceCapabilities.UsbDev => "usb_device",
        NodeDeviceCapabilities.UsbInterface => "usb",
        NodeDeviceCapabilities.Net => "net",
        NodeDeviceCapabilities.Storage => "storage",
        _ => throw new ArgumentOutOfRangeException(nameof(capability), capability, "kvmd reports no such node device capability"),
    };
}
