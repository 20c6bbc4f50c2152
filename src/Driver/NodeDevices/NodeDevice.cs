namespace Kvm.Driver.NodeDevices;

/// <summary>
/// One host device as libvirt's node device driver describes it: its name (libvirt's, such as pci_0000_00_01_0),
/// sysfs path, device nodes, parent (null only for the root, "computer"), bound driver, its capability type and the
/// lines of its &lt;capability&gt; element (already indented for the device), formatted by <see cref="NodeDeviceXml"/>.
/// </summary>
public sealed record NodeDevice(
    string Name,
    string? SysfsPath,
    IReadOnlyList<string> DevNodes,
    IReadOnlyList<string> DevLinks,
    string? Parent,
    string? Driver,
    NodeDeviceCapabilities Capability,
    string CapabilityXml);
