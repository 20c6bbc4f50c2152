using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Shared filesystems: the guest mounts a host directory (9p, or virtiofs through a vhost-user daemon) without usage
/// limits; 9p's file and directory modes belong to the mapped security model and its handle driver to passthrough;
/// a virtiofsd the domain starts itself runs in passthrough mode without a write policy; virtiofs is read-write,
/// needs shared guest memory and has no device model, image format, multidevs or file modes; only virtiofs boots,
/// and a virtiofs tag is used once (qemuValidateDomainDeviceDefFS, virDomainFSDefValidate, virDomainDefFSValidate).
/// </summary>
internal sealed class FilesystemRule : IDomainRule
{
    public XName[] Triggers { get; } = [XmlNames.Filesystem];

    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        var tags = new HashSet<string>(StringComparer.Ordinal);
        foreach (var fs in context.Devices?.Elements(XmlNames.Filesystem) ?? [])
        {
            var driver = fs.Element(XmlNames.Driver);
            bool virtiofs = driver?.Attr(XmlNames.Type) == "virtiofs";
            if (fs.Element(XmlNames.Boot) is { } boot && !virtiofs)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "boot order is only supported for virtiofs", boot);
            }

            CheckNinePoint(fs, driver, virtiofs);
            if (virtiofs)
            {
                CheckVirtiofs(fs, driver!);
                SharedMemory.Require(domain, "virtiofs", fs);
                if (fs.Element(XmlNames.Target)?.Attr(XmlNames.Dir) is { } tag && !tags.Add(tag))
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"filesystem target '{tag}' specified twice",
                        fs.Element(XmlNames.Target), "dir");
                }
            }
        }
    }

    private static void CheckNinePoint(XElement fs, XElement? driver, bool virtiofs)
    {
        if ((fs.Attr(XmlNames.Type) ?? "mount") != "mount")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "only supports mount filesystem type", fs, "type");
        }

        if ((fs.Element(XmlNames.SpaceHardLimit) ?? fs.Element(XmlNames.SpaceSoftLimit)) is { } limit)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "filesystem usage limits are not supported with QEMU", limit);
        }

        string accessMode = fs.Attr(XmlNames.Accessmode) ?? "passthrough";
        if ((fs.Attr(XmlNames.Fmode) ?? fs.Attr(XmlNames.Dmode)) is not null && accessMode != "mapped")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "fmode and dmode must be used with accessmode=mapped", fs);
        }

        if (!virtiofs && fs.Element(XmlNames.Binary)?.Element(XmlNames.Sandbox) is { } sandbox)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "sandbox can only be used with driver=virtiofs", sandbox);
        }

        switch (driver?.Attr(XmlNames.Type))
        {
            case "handle" when accessMode != "passthrough":
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "only supports passthrough accessmode", fs, "accessmode");
                break;
            case "loop" or "nbd" or "ploop":
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Filesystem driver type not supported", driver, "type");
                break;
        }
    }

    private static void CheckVirtiofs(XElement fs, XElement driver)
    {
        // With a socket, virtiofsd is started by someone else and its settings are theirs.
        if (fs.Element(XmlNames.Source)?.Attr(XmlNames.Socket) is null)
        {
            (XElement At, string? Attribute, string Detail)? error =
                fs.Element(XmlNames.Readonly) is { } readOnly ? (readOnly, null, "virtiofs does not yet support read-only mode")
                : (fs.Attr(XmlNames.Accessmode) ?? "passthrough") != "passthrough" ? (fs, "accessmode", "virtiofs only supports passthrough accessmode")
                : driver.Attr(XmlNames.Wrpolicy) is not null ? (driver, "wrpolicy", "virtiofs does not support wrpolicy")
                : null;
            if (error is { } e)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, e.Detail, e.At, e.Attribute);
            }
        }

        (XElement At, string? Attribute, string Detail)? other =
            fs.Element(XmlNames.Readonly) is { } shared ? (shared, null, "virtiofs does not support read-only access")
            : fs.Attr(XmlNames.Model) is not null ? (fs, "model", "virtiofs does not support model")
            : driver.Attr(XmlNames.Format) is not null ? (driver, "format", "virtiofs does not support format")
            : fs.Attr(XmlNames.Multidevs) is not null ? (fs, "multidevs", "virtiofs does not support multidevs")
            : (fs.Attr(XmlNames.Fmode) ?? fs.Attr(XmlNames.Dmode)) is not null ? (fs, null, "virtiofs does not support fmode and dmode")
            : null;
        if (other is { } o)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, o.Detail, o.At, o.Attribute);
        }
    }
}
