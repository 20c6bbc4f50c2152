using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// A vhost-user disk (<c>&lt;disk type='vhostuser'&gt;</c>) is served by an external daemon over a socket: it is a
/// virtio-blk device in shared guest memory, and everything the host's block layer would do for it — caching, error
/// policies, I/O modes, throttling, backing chains, encryption, snapshots, identity strings, geometry — is not there
/// to set (virDomainDiskVhostUserValidate, qemuValidateDomainDeviceDefDisk).
/// </summary>
internal sealed class VhostUserDiskRule : IDomainRule
{
    /// <summary>Driver attributes and the name libvirt gives them in its messages.</summary>
    private static readonly (string Attribute, string Name)[] s_driverAttributes =
    [
        ("cache", "cache"), ("error_policy", "error_policy"), ("rerror_policy", "error_policy"), ("io", "io"),
        ("ioeventfd", "ioeventfd"), ("copy_on_read", "copy_on_read"), ("discard", "discard"), ("iothread", "iothread"),
        ("detect_zeroes", "detect_zeroes"),
    ];

    /// <summary>Disk child elements and the name libvirt gives them in its messages.</summary>
    private static readonly (string Element, string Name)[] s_elements =
    [
        ("iotune", "iotune"), ("backingStore", "backingStore"), ("encryption", "encryption"), ("readonly", "readonly"),
        ("shareable", "shareable"), ("transient", "transient"), ("serial", "serial"), ("wwn", "wwn"), ("vendor", "vendor"),
        ("product", "product"), ("auth", "auth"), ("geometry", "geometry"), ("blockio", "blockio"),
    ];

    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        foreach (var disk in (context.Devices?.Elements(XmlNames.Disk) ?? []).Where(d => d.Attr(XmlNames.Type) == "vhostuser"))
        {
            if (DiskTarget.Bus(disk) != "virtio")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "vhostuser disk supports only virtio bus", disk.Element(XmlNames.Target), "bus");
            }

            if (disk.Attr(XmlNames.Snapshot) is { } snapshot && snapshot != "no")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "only snapshot=no is supported with vhostuser disk", disk, "snapshot");
            }

            var driver = disk.Element(XmlNames.Driver);
            foreach (var (attribute, name) in s_driverAttributes)
            {
                if (driver?.Attr(attribute) is not null)
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"{name} is not supported with vhostuser disk", driver, attribute);
                }
            }

            if (driver?.Element(XmlNames.MetadataCache) is { } cache)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "metadata_cache is not supported with vhostuser disk", cache);
            }

            var source = disk.Element(XmlNames.Source);
            foreach (var (element, name) in s_elements)
            {
                if ((disk.Element(element) ?? source?.Element(element)) is { } found)
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"{name} is not supported with vhostuser disk", found);
                }
            }

            SharedMemory.Require(domain, "vhostuser", disk);
        }
    }
}
