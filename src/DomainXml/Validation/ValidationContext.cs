using System.Xml.Linq;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// One definition under validation, with what many rules ask of it worked out once: the machine, the device elements,
/// the element names present, and the disks in libvirt's order with their targets. Rules read it and never change it.
/// </summary>
internal sealed class ValidationContext
{
    private static readonly XElement[] s_noElements = [];

    private XElement[]? _deviceElements;
    private List<XElement>? _controllers;
    private List<DiskPlacement>? _disks;
    private List<DiskPlacement>? _disksInLibvirtOrder;
    private HashSet<XName>? _present;
    private readonly HashSet<string> _addressTypes = new(StringComparer.Ordinal);

    public ValidationContext(XElement domain, DomainDef definition)
    {
        Domain = domain;
        Definition = definition;
        Devices = domain.Element(XmlNames.Devices);
        Machine = MachineType.Of(domain);
    }

    public XElement Domain { get; }

    public DomainDef Definition { get; }

    /// <summary><c>/domain/devices</c>, when there is one.</summary>
    public XElement? Devices { get; }

    public MachineType Machine { get; }

    /// <summary>The children of <c>/domain/devices</c>, in document order.</summary>
    public XElement[] DeviceElements => _deviceElements ??= Devices is null ? s_noElements : [.. Devices.Elements()];

    /// <summary>The <c>&lt;controller&gt;</c> elements, in document order.</summary>
    public List<XElement> Controllers => _controllers ??= Named(XmlNames.Controller);

    /// <summary>The disks in document order.</summary>
    public List<DiskPlacement> Disks => _disks ??= Named(XmlNames.Disk).ConvertAll(disk => new DiskPlacement(disk));

    /// <summary>The disks in the order libvirt keeps them (<see cref="DiskPlacement.LibvirtOrder"/>).</summary>
    public List<DiskPlacement> DisksInLibvirtOrder => _disksInLibvirtOrder ??= DiskPlacement.LibvirtOrder(Disks);

    /// <summary>Whether an element of this name appears anywhere in the definition.</summary>
    public bool Contains(XName name) => (_present ??= ElementNames(Domain, _addressTypes)).Contains(name);

    /// <summary>Whether an <c>&lt;address&gt;</c> of this type appears anywhere in the definition.</summary>
    public bool HasAddressType(string type)
    {
        _present ??= ElementNames(Domain, _addressTypes);
        return _addressTypes.Contains(type);
    }

    /// <summary>The device elements of one kind, in document order.</summary>
    public List<XElement> Named(XName name)
    {
        var found = new List<XElement>();
        foreach (var device in DeviceElements)
        {
            if (device.Name == name)
            {
                found.Add(device);
            }
        }

        return found;
    }

    private static HashSet<XName> ElementNames(XElement root, HashSet<string> addressTypes)
    {
        var names = new HashSet<XName>();
        XNode? node = root;
        while (node is not null)
        {
            if (node is XElement element)
            {
                names.Add(element.Name);
                if (element.Name == XmlNames.Address && element.Attr(XmlNames.Type) is { } type)
                {
                    addressTypes.Add(type);
                }

                if (element.FirstNode is { } first)
                {
                    node = first;
                    continue;
                }
            }

            while (node is not null && node != root && node.NextNode is null)
            {
                node = node.Parent;
            }

            node = node is null || node == root ? null : node.NextNode;
        }

        return names;
    }
}
