using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// What a disk's source may say: one authentication and one encryption definition, on the disk or in its source but
/// not both; authentication only for the network protocols that have it, with a secret of a known kind and of the
/// protocol's own kind; LUKS encryption without a cipher (the LUKS header carries it), in a raw or qcow2 image; a
/// SCSI passthrough LUN backed by a host block device or an iSCSI target, in raw format (the parsing of
/// virDomainDiskDefParseSourceXML, virDomainDiskDefValidateSourceChainOne, virDomainDiskDefSourceLUNValidate,
/// qemuDomainValidateStorageSource).
/// </summary>
internal sealed class DiskSourceRule : IDomainRule
{
    /// <summary>The kinds of secret libvirt knows (virSecretUsageType).</summary>
    private static readonly HashSet<string> s_secretTypes = ["none", "volume", "ceph", "iscsi", "tls", "vtpm"];

    /// <summary>Network protocols whose block drivers take no credentials.</summary>
    private static readonly HashSet<string> s_noAuthProtocols = ["nbd", "sheepdog", "gluster", "tftp", "vxhs", "nfs"];

    public void Check(ValidationContext context)
    {
        var definition = context.Definition;
        foreach (var disk in context.Devices?.Elements(XmlNames.Disk) ?? [])
        {
            var source = disk.Element(XmlNames.Source);
            CheckDuplicate(disk, source, "auth");
            CheckDuplicate(disk, source, "encryption");
            CheckAuth(disk, source);
            var encryption = source?.Element(XmlNames.Encryption) ?? disk.Element(XmlNames.Encryption);
            CheckCipher(encryption);
            CheckLun(disk, source, encryption);
            CheckEncryption(disk, encryption);
        }
    }

    private static void CheckDuplicate(XElement disk, XElement? source, string name)
    {
        if (source?.Element(name) is not null && disk.Element(name) is { } second)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"an <{name}> definition already found for disk source", second);
        }
    }

    private static void CheckAuth(XElement disk, XElement? source)
    {
        var auth = disk.Element(XmlNames.Auth) ?? source?.Element(XmlNames.Auth);
        if (auth is null || disk.Attr(XmlNames.Type) != "network")
        {
            return;
        }

        string? protocol = source?.Attr(XmlNames.Protocol);
        if (protocol is not null && s_noAuthProtocols.Contains(protocol))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"authentication is not supported for protocol '{protocol}'", auth);
        }

        var secret = auth.Element(XmlNames.Secret);
        string? type = secret?.Attr(XmlNames.Type);
        if (type is null || !s_secretTypes.Contains(type))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"unknown secret type '{type ?? "<null>"}'", secret ?? auth,
                type is null ? null : "type");
        }

        string? expected = protocol switch
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

    private static void CheckCipher(XElement? encryption)
    {
        if (encryption?.Attr(XmlNames.Format) == "luks" && encryption.Element(XmlNames.Cipher) is { } cipher)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "supplying <cipher> for domain disk definition is unnecessary", cipher);
        }
    }

    private static void CheckLun(XElement disk, XElement? source, XElement? encryption)
    {
        if (disk.Attr(XmlNames.Device) != "lun")
        {
            return;
        }

        string type = disk.Attr(XmlNames.Type) ?? "file";
        if (type == "network")
        {
            if (source?.Attr(XmlNames.Protocol) is { } protocol && protocol != "iscsi")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"disk device='lun' is not supported for protocol='{protocol}'",
                    source, "protocol");
            }
        }
        else if (type is not ("block" or "volume"))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "disk device='lun' is only valid for block type disk source",
                disk, "type");
        }

        var driver = disk.Element(XmlNames.Driver);
        if (driver?.Attr(XmlNames.Type) is { } format && format is not ("raw" or "none"))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "disk device 'lun' must use 'raw' format", driver, "type");
        }

        if (source?.Element(XmlNames.Slices) is { } slices)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "disk device 'lun' doesn't support storage slice", slices);
        }

        if (encryption?.Attr(XmlNames.Format) is { } encryptionFormat && encryptionFormat != "default")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "disk device 'lun' doesn't support encryption", encryption);
        }
    }

    /// <summary>The encryption QEMU's block layer does: LUKS in a raw or qcow2 image; librbd's is Ceph's own.</summary>
    private static void CheckEncryption(XElement disk, XElement? encryption)
    {
        if (encryption?.Attr(XmlNames.Format) is not { } format)
        {
            return;
        }

        if (format is "default" or "qcow")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "old qcow/qcow2 encryption is not supported", encryption, "format");
        }

        if (encryption.Attr(XmlNames.Engine) == "librbd")
        {
            if (disk.Attr(XmlNames.Type) != "network")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "librbd encryption is supported only with RBD backed disks",
                    encryption, "engine");
            }

            return;
        }

        if (format == "luks2")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "luks2 is currently not supported by the qemu encryption engine",
                encryption, "format");
        }

        // The image format defaults to raw (qemuDomainDeviceDiskDefPostParse).
        if (disk.Element(XmlNames.Driver)?.Attr(XmlNames.Type) is { } image && image is not ("raw" or "qcow2"))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "encryption is supported only with 'raw' and 'qcow2' image format",
                encryption);
        }
    }
}
