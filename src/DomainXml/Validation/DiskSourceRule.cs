using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// What a disk's source may say: a storage format the block layer can open as a disk image, an authentication
/// secret of the protocol's own kind, and LUKS encryption without a cipher (the LUKS header carries it)
/// (virDomainDiskDefSourceLUKSValidate, the auth checks of virDomainDiskDefValidateSourceChainOne,
/// qemuDomainValidateStorageSource).
/// </summary>
internal sealed class DiskSourceRule : IDomainRule
{
    public void Check(XElement domain, DomainDef definition)
    {
        foreach (var disk in domain.Element("devices")?.Elements("disk") ?? [])
        {
            var source = disk.Element("source");
            CheckAuth(disk, source);
            CheckEncryption(disk.Element("encryption"));
            CheckEncryption(source?.Element("encryption"));
            CheckFormat(disk.Element("driver"));
        }
    }

    private static void CheckAuth(XElement disk, XElement? source)
    {
        var secret = (disk.Element("auth") ?? source?.Element("auth"))?.Element("secret");
        if (secret?.Attr("type") is not { } type || disk.Attr("type") != "network")
        {
            return;
        }

        string? expected = source?.Attr("protocol") switch
        {
            "iscsi" => "iscsi",
            "rbd" => "ceph",
            _ => null,
        };
        if (expected is not null && type != expected)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"invalid secret type '{type}'", secret, "type");
        }
    }

    private static void CheckEncryption(XElement? encryption)
    {
        if (encryption?.Attr("format") == "luks" && encryption.Element("cipher") is { } cipher)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "supplying <cipher> for domain disk definition is unnecessary", cipher);
        }
    }

    private static void CheckFormat(XElement? driver)
    {
        // libvirt ends the first and third with "by QEMU"; these messages state the limit without naming an emulator.
        string? detail = driver?.Attr("type") switch
        {
            "dir" => "'directory' storage format is not directly supported, use 'dir' disk type instead",
            "cow" => "'cow' storage format is not supported",
            "iso" => "storage format 'iso' is not directly supported, use 'raw' instead",
            _ => null,
        };
        if (detail is not null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, detail, driver, "type");
        }
    }
}
