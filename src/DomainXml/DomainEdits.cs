using System.Xml.Linq;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml;

/// <summary>
/// Typed edits of a parsed domain, for a driver that changes definitions (libvirt's virDomainDef setters, the live id,
/// the pty a console got): each returns a new document, passed again through parse and post-parse (without
/// validation, as a stored definition) so the typed model and the document agree. The input is never changed. An
/// edit keeps the document's kind: an inactive (persistent) definition stays inactive, a live one stays live.
/// </summary>
public static class DomainEdits
{
    /// <summary>The running definition of <paramref name="source"/>: its inactive form with libvirt's live <c>id</c> on the root.</summary>
    public static DomainDocument ToLive(DomainDocument source, int id)
    {
        ArgumentNullException.ThrowIfNull(source);
        var root = XElement.Parse(DomainXmlFormatter.Format(source, DomainFormatFlags.Secure | DomainFormatFlags.Inactive));
        root.SetAttributeValue(XmlNames.Id, id);
        return Reparse(root, inactive: false);
    }

    /// <summary>The definition under another name (virDomainRename).</summary>
    public static DomainDocument WithName(DomainDocument document, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Edit(document, root => root.Element(XmlNames.Name)!.Value = name);
    }

    /// <summary>
    /// The definition with the pseudo-terminal the VMM gave the first pty serial port, as libvirt writes it: the serial's
    /// <c>&lt;source path&gt;</c>, and each pty console's <c>tty</c> and source. Null when there is no pty serial.
    /// </summary>
    public static DomainDocument? WithSerialPty(DomainDocument document, string pty)
    {
        ArgumentException.ThrowIfNullOrEmpty(pty);
        if (!document.Definition.Devices.Chardevs.Any(c => c.Kind == Model.ChardevKind.Serial && c.Source.Type == "pty"))
        {
            return null;
        }

        return Edit(document, root =>
        {
            var devices = root.Element(XmlNames.Devices)!;
            var serial = devices.Elements(XmlNames.Serial).First(s => (string?)s.Attribute(XmlNames.Type) == "pty");
            SetSourcePath(serial, pty);
            foreach (var console in devices.Elements(XmlNames.Console).Where(c => (string?)c.Attribute(XmlNames.Type) == "pty"))
            {
                console.SetAttributeValue(XmlNames.Tty, pty);
                SetSourcePath(console, pty);
            }
        });
    }

    /// <summary>
    /// The live definition with the bridge of each <c>&lt;interface type='network'&gt;</c>'s running network on its
    /// <c>&lt;source network bridge&gt;</c>, as libvirt's live XML shows it; null when there is no such interface.
    /// <paramref name="bridgeOf"/> answers a network's bridge, or throws when the network is missing or not running.
    /// </summary>
    public static DomainDocument? WithNetworkBridges(DomainDocument document, Func<string, string> bridgeOf)
    {
        ArgumentNullException.ThrowIfNull(bridgeOf);
        if (!document.Definition.Devices.Interfaces.Any(n => n.Type == "network"))
        {
            return null;
        }

        var bridges = document.Definition.Devices.Interfaces.Where(n => n.Type == "network" && n.Source is not null)
            .Select(n => n.Source!).Distinct(StringComparer.Ordinal).ToDictionary(n => n, bridgeOf, StringComparer.Ordinal);
        return Edit(document, root =>
        {
            foreach (var nic in root.Element(XmlNames.Devices)!.Elements(XmlNames.Interface).Where(n => (string?)n.Attribute(XmlNames.Type) == "network"))
            {
                if (nic.Element(XmlNames.Source) is { } source && (string?)source.Attribute(XmlNames.Network) is { } network)
                {
                    source.SetAttributeValue(XmlNames.Bridge, bridges[network]);
                }
            }
        });
    }

    /// <summary>
    /// The definition whose <c>&lt;vsock&gt;</c> has the guest CID <paramref name="cid"/>: <c>&lt;cid auto address&gt;</c>
    /// as libvirt's live XML shows an acquired CID (<c>auto='yes' address='3'</c>), or a fixed one with
    /// <paramref name="auto"/> false. Null when the domain has no vsock.
    /// </summary>
    public static DomainDocument? WithVsockCid(DomainDocument document, uint cid, bool auto)
    {
        if (document.Definition.Devices.Vsock is null)
        {
            return null;
        }

        return Edit(document, root =>
        {
            var vsock = root.Element(XmlNames.Devices)!.Element(XmlNames.Vsock)!;
            var element = vsock.Element(XmlNames.Cid);
            if (element is null)
            {
                element = new XElement(XmlNames.Cid);
                vsock.AddFirst(element);
            }

            element.SetAttributeValue(XmlNames.Auto, auto ? "yes" : "no");
            element.SetAttributeValue(XmlNames.Address, cid);
        });
    }

    /// <summary>The definition with a new <c>&lt;title&gt;</c>, or none (virDomainSetMetadata, VIR_DOMAIN_METADATA_TITLE).</summary>
    public static DomainDocument WithTitle(DomainDocument document, string? title) =>
        Edit(document, root => ReplaceAfterName(root, XmlNames.Title, title));

    /// <summary>The definition with a new <c>&lt;description&gt;</c>, or none (VIR_DOMAIN_METADATA_DESCRIPTION).</summary>
    public static DomainDocument WithDescription(DomainDocument document, string? description) =>
        Edit(document, root => ReplaceAfterName(root, XmlNames.Description, description));

    /// <summary>
    /// The definition with the <c>&lt;metadata&gt;</c> child of namespace <paramref name="namespaceUri"/> replaced by
    /// <paramref name="element"/>, or removed when it is null (VIR_DOMAIN_METADATA_ELEMENT); an empty container goes.
    /// </summary>
    public static DomainDocument WithMetadataElement(DomainDocument document, string namespaceUri, XElement? element)
    {
        ArgumentException.ThrowIfNullOrEmpty(namespaceUri);
        return Edit(document, root =>
        {
            XElement? container = root.Element(XmlNames.Metadata);
            container?.Elements().Where(e => e.Name.NamespaceName == namespaceUri).Remove();
            if (element is not null)
            {
                if (container is null)
                {
                    container = new XElement(XmlNames.Metadata);
                    root.Add(container);
                }

                container.Add(new XElement(element));
            }
            else if (container is not null && !container.HasElements)
            {
                container.Remove();
            }
        });
    }

    /// <summary>
    /// The definition booting UEFI code from flash as libvirt fills it in for a start: <c>&lt;loader readonly='yes'
    /// type='pflash'&gt;</c> with <paramref name="loader"/> and <c>&lt;nvram&gt;</c> with <paramref name="nvram"/> and
    /// its <paramref name="template"/>, replacing what <c>&lt;os&gt;</c> had of either (its other attributes kept).
    /// </summary>
    public static DomainDocument WithFlashFirmware(DomainDocument document, string loader, string? template, string nvram)
    {
        ArgumentException.ThrowIfNullOrEmpty(loader);
        ArgumentException.ThrowIfNullOrEmpty(nvram);
        return Edit(document, root =>
        {
            var os = root.Element(XmlNames.Os)!;
            var oldLoader = os.Element(XmlNames.Loader);
            var loaderElement = new XElement(XmlNames.Loader, oldLoader?.Attributes().Where(a => a.Name != XmlNames.Type && a.Name != XmlNames.Readonly),
                new XAttribute(XmlNames.Readonly, "yes"), new XAttribute(XmlNames.Type, "pflash"), loader);
            var oldNvram = os.Element(XmlNames.Nvram);
            var nvramElement = new XElement(XmlNames.Nvram, oldNvram?.Attributes().Where(a => a.Name != XmlNames.Template),
                template is null ? null : new XAttribute(XmlNames.Template, template), nvram);
            oldLoader?.Remove();
            oldNvram?.Remove();
            // <type> comes first, then <firmware> when there is one, then the loader and its store.
            var after = os.Element(XmlNames.Firmware) ?? os.Element(XmlNames.Type)!;
            after.AddAfterSelf(loaderElement, nvramElement);
        });
    }

    /// <summary>
    /// The definition with the disk whose target is <paramref name="target"/> on a new image (libvirt's switch to an
    /// external snapshot's overlay): its type and <c>&lt;source&gt;</c> (<c>file</c> or <c>dev</c>), the driver's format,
    /// and no <c>&lt;backingStore&gt;</c> (the image's header names its backing file). Other source attributes go too.
    /// </summary>
    public static DomainDocument WithDiskImage(DomainDocument document, string target, string sourceType, string path, string format)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(format);
        if (sourceType is not ("file" or "block"))
        {
            throw new ArgumentException($"Disk source type '{sourceType}' is neither file nor block", nameof(sourceType));
        }
        if (!document.Definition.Devices.Disks.Any(d => d.TargetDev == target))
        {
            throw new ArgumentException($"The domain has no disk with target '{target}'", nameof(target));
        }

        return Edit(document, root =>
        {
            XElement disk = root.Element(XmlNames.Devices)!.Elements(XmlNames.Disk)
                .First(d => (string?)d.Element(XmlNames.Target)?.Attribute(XmlNames.Dev) == target);
            disk.SetAttributeValue(XmlNames.Type, sourceType);
            var source = new XElement(XmlNames.Source, new XAttribute(sourceType == "block" ? XmlNames.Dev : XmlNames.File, path));
            XElement? oldSource = disk.Element(XmlNames.Source);
            if (oldSource is not null)
            {
                // Child elements of the old source (a seclabel, a reservation) stay with the disk's new image.
                source.Add(oldSource.Elements());
                oldSource.ReplaceWith(source);
            }
            else if (disk.Element(XmlNames.Driver) is { } driverBefore)
            {
                driverBefore.AddAfterSelf(source);
            }
            else
            {
                disk.AddFirst(source);
            }
            disk.Elements(XmlNames.BackingStore).Remove();
            XElement? driver = disk.Element(XmlNames.Driver);
            if (driver is null)
            {
                driver = new XElement(XmlNames.Driver, new XAttribute(XmlNames.Name, "qemu"));
                disk.AddFirst(driver);
            }
            driver.SetAttributeValue(XmlNames.Type, format);
        });
    }

    private static DomainDocument Edit(DomainDocument document, Action<XElement> edit)
    {
        ArgumentNullException.ThrowIfNull(document);
        bool inactive = (document.ParseFlags & DomainParseFlags.Inactive) != 0;
        var root = XElement.Parse(DomainXmlFormatter.Format(document, inactive ? DomainFormatFlags.Secure | DomainFormatFlags.Inactive : DomainFormatFlags.Secure));
        edit(root);
        return Reparse(root, inactive);
    }

    private static DomainDocument Reparse(XElement root, bool inactive) =>
        DomainXmlParser.Parse(root.ToString(), null, DomainParseFlags.SkipValidate | (inactive ? DomainParseFlags.Inactive : 0));

    private static void ReplaceAfterName(XElement root, XName name, string? text)
    {
        root.Element(name)?.Remove();
        if (text is not null)
        {
            root.Element(XmlNames.Name)!.AddAfterSelf(new XElement(name, text));
        }
    }

    private static void SetSourcePath(XElement chardev, string path)
    {
        chardev.Element(XmlNames.Source)?.Remove();
        chardev.AddFirst(new XElement(XmlNames.Source, new XAttribute(XmlNames.Path, path)));
    }
}
