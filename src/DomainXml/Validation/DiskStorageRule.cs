using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// A disk's storage as the block layer opens it: an image format that is a disk image (virtual FAT only over a
/// read-only directory), network protocols the block layer still has (not TFTP; NFS over TCP to one host on its
/// default port), and protocol options only where the protocol has them (HTTP(S)/FTP(S) readahead, timeout, cookies,
/// query strings, certificate checks; TLS host names for NBD; snapshots and config files for network disks); the qcow2 metadata
/// cache only for qcow2 (qemuDomainValidateStorageSource, virDomainDiskDefValidateSourceChainOne).
/// </summary>
internal sealed class DiskStorageRule : IDomainRule
{
    public void Check(ValidationContext context)
    {
        foreach (var disk in context.Devices?.Elements(XmlNames.Disk) ?? [])
        {
            string type = disk.Attr(XmlNames.Type) ?? "file";
            var source = disk.Element(XmlNames.Source);
            CheckFormat(disk, type);
            if (type == "network" && source is not null)
            {
                CheckProtocol(source);
            }

            CheckProtocolOptions(source, type == "network" ? source?.Attr(XmlNames.Protocol) : null);
        }
    }

    private static void CheckFormat(XElement disk, string type)
    {
        var driver = disk.Element(XmlNames.Driver);
        string? format = driver?.Attr(XmlNames.Type);

        // libvirt ends the first and third with "by QEMU"; these messages state the limit without naming an emulator.
        string? detail = format switch
        {
            "dir" => "'directory' storage format is not directly supported, use 'dir' disk type instead",
            "cow" => "'cow' storage format is not supported",
            "iso" => "storage format 'iso' is not directly supported, use 'raw' instead",
            "fat" when type is not ("dir" or "volume") => "storage format 'fat' is supported only with 'dir' storage type",
            _ => null,
        };
        if (detail is not null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, detail, driver, "type");
        }

        if (type == "dir")
        {
            if (format is not (null or "none" or "fat"))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "storage type 'dir' requires use of storage format 'fat'",
                    driver, "type");
            }

            if (disk.Element(XmlNames.Readonly) is null && disk.Attr(XmlNames.Device) != "cdrom")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "virtual FAT storage can't be accessed in read-write mode", disk);
            }
        }

        if (driver?.Element(XmlNames.MetadataCache)?.Element(XmlNames.MaxSize) is { } maxSize && format != "qcow2")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "metadata cache max size control is supported only with qcow2 images",
                maxSize);
        }
    }

    private static void CheckProtocol(XElement source)
    {
        string? protocol = source.Attr(XmlNames.Protocol);
        if (protocol == "tftp")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "'tftp' protocol is not supported with this QEMU binary",
                source, "protocol");
        }

        if (protocol == "nfs")
        {
            var hosts = source.Elements(XmlNames.Host).ToList();
            if (hosts.Count != 1)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "'nfs' protocol requires the usage of exactly one host", source);
            }

            if (hosts[0].Attr(XmlNames.Transport) is { } transport && transport != "tcp")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "'nfs' host must use TCP protocol", hosts[0], "transport");
            }

            if ((hosts[0].UInt(XmlNames.Port) ?? 0) != 0)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "port cannot be specified in 'nfs' protocol host", hosts[0], "port");
            }
        }

        if (source.Attr(XmlNames.TlsHostname) is not null && protocol != "nbd")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "'tlsHostname' field is supported only with NBD disks",
                source, "tlsHostname");
        }
    }

    /// <summary>Options of the curl block driver and of RBD, on a source of another protocol or a local one.</summary>
    private static void CheckProtocolOptions(XElement? source, string? protocol)
    {
        if (source is null)
        {
            return;
        }

        bool http = protocol is "http" or "https", curl = http || protocol is "ftp" or "ftps";
        (XElement? At, string Detail)? error =
            source.Element(XmlNames.Ssl) is { } ssl && ssl.Attr(XmlNames.Verify) is not null && protocol is not ("https" or "ftps")
                ? (ssl, "ssl verification is supported only with HTTPS/FTPS protocol")
            : source.Element(XmlNames.Cookies) is { } cookies && !http ? (cookies, "http cookies are supported only with HTTP(S) protocol")
            : source.Element(XmlNames.Readahead) is { } readahead && !curl ? (readahead, "readahead is supported only with HTTP(S)/FTP(s) protocols")
            : source.Element(XmlNames.Timeout) is { } timeout && !curl ? (timeout, "timeout is supported only with HTTP(S)/FTP(s) protocols")
            : source.Attr(XmlNames.Query) is not null && !http ? (source, "query is supported only with HTTP(S) protocols")
            : null;
        if (error is { } e)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, e.Detail, e.At);
        }

        // Local storage only; network protocols pass these through.
        if (protocol is null)
        {
            if (source.Element(XmlNames.Snapshot) is { } snapshot)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "<snapshot> element is currently supported only with 'rbd' disks", snapshot);
            }

            if (source.Element(XmlNames.Config) is { } config)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "<config> element is currently supported only with 'rbd' disks", config);
            }
        }
    }
}
