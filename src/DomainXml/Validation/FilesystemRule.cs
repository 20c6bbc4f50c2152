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
    public void Check(XElement domain, DomainDef definition)
    {
        var tags = new HashSet<string>(StringComparer.Ordinal);
        foreach (var fs in domain.Element("devices")?.Elements("filesystem") ?? [])
        {
            var driver = fs.Element("driver");
            bool virtiofs = driver?.Attr("type") == "virtiofs";
            if (fs.Element("boot") is { } boot && !virtiofs)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "boot order is only supported for virtiofs", boot);
            }

            CheckNinePoint(fs, driver, virtiofs);
            if (virtiofs)
            {
                CheckVirtiofs(fs, driver!);
                SharedMemory.Require(domain, "virtiofs", fs);
                if (fs.Element("target")?.Attr("dir") is { } tag && !tags.Add(tag))
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"filesystem target '{tag}' specified twice",
                        fs.Element("target"), "dir");
                }
            }
        }
    }

    private static void CheckNinePoint(XElement fs, XElement? driver, bool virtiofs)
    {
        if ((fs.Attr("type") ?? "mount") != "mount")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "only supports mount filesystem type", fs, "type");
        }

        if ((fs.Element("space_hard_limit") ?? fs.Element("space_soft_limit")) is { } limit)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "filesystem usage limits are not supported with QEMU", limit);
        }

        string accessMode = fs.Attr("accessmode") ?? "passthrough";
        if ((fs.Attr("fmode") ?? fs.Attr("dmode")) is not null && accessMode != "mapped")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "fmode and dmode must be used with accessmode=mapped", fs);
        }

        if (!virtiofs && fs.Element("binary")?.Element("sandbox") is { } sandbox)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "sandbox can only be used with driver=virtiofs", sandbox);
        }

        switch (driver?.Attr("type"))
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
        if (fs.Element("source")?.Attr("socket") is null)
        {
            (XElement At, string? Attribute, string Detail)? error =
                fs.Element("readonly") is { } readOnly ? (readOnly, null, "virtiofs does not yet support read-only mode")
                : (fs.Attr("accessmode") ?? "passthrough") != "passthrough" ? (fs, "accessmode", "virtiofs only supports passthrough accessmode")
                : driver.Attr("wrpolicy") is not null ? (driver, "wrpolicy", "virtiofs does not support wrpolicy")
                : null;
            if (error is { } e)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, e.Detail, e.At, e.Attribute);
            }
        }

        (XElement At, string? Attribute, string Detail)? other =
            fs.Element("readonly") is { } shared ? (shared, null, "virtiofs does not support read-only access")
            : fs.Attr("model") is not null ? (fs, "model", "virtiofs does not support model")
            : driver.Attr("format") is not null ? (driver, "format", "virtiofs does not support format")
            : fs.Attr("multidevs") is not null ? (fs, "multidevs", "virtiofs does not support multidevs")
            : (fs.Attr("fmode") ?? fs.Attr("dmode")) is not null ? (fs, null, "virtiofs does not support fmode and dmode")
            : null;
        if (other is { } o)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, o.Detail, o.At, o.Attribute);
        }
    }
}
