using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.General;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// IOThreads are referred to by id — in CPU pinning and scheduling, by virtio-blk disks and by virtio-scsi
/// controllers — and each id referred to exists (virDomainIOThreadPinDefParseXML, virDomainDefGetIOThreadSched,
/// qemuValidateDomainDeviceDefDiskIOThreads, qemuValidateCheckSCSIControllerIOThreads).
/// </summary>
internal sealed class IothreadRule : IDomainRule
{
    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        var ids = IothreadIds(domain);
        CheckCputune(domain.Element(XmlNames.Cputune), ids);
        foreach (var disk in context.Devices?.Elements(XmlNames.Disk) ?? [])
        {
            CheckDisk(disk, ids);
        }

        foreach (var controller in context.Devices?.Elements(XmlNames.Controller) ?? [])
        {
            CheckController(controller, ids);
        }
    }

    /// <summary>
    /// The IOThread ids: those <c>&lt;iothreadids&gt;</c> lists, then the lowest free ids until there are as many as
    /// <c>&lt;iothreads&gt;</c> says (virDomainIOThreadIDDefArrayInit).
    /// </summary>
    private static HashSet<uint> IothreadIds(XElement domain)
    {
        var ids = (domain.Element(XmlNames.Iothreadids)?.Elements(XmlNames.Iothread) ?? []).Select(t => t.UInt(XmlNames.Id) ?? 0).ToHashSet();
        if (domain.Element(XmlNames.Iothreads) is { } count && uint.TryParse(count.Text(), out uint n))
        {
            for (uint id = 1; ids.Count < n && id != 0; id++)
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    private static void CheckCputune(XElement? cputune, HashSet<uint> ids)
    {
        if (cputune is null)
        {
            return;
        }

        foreach (var pin in cputune.Elements(XmlNames.Iothreadpin))
        {
            if (pin.UInt(XmlNames.Iothread) is { } id && !ids.Contains(id))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"Cannot find 'iothread' : {id}", pin, "iothread");
            }
        }

        foreach (var sched in cputune.Elements(XmlNames.Iothreadsched))
        {
            if (sched.Attr(XmlNames.Iothreads) is not { } text)
            {
                continue;
            }

            foreach (int id in CpuSet.Parse(text, sched, "iothreads"))
            {
                if (!ids.Contains((uint)id))
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"Cannot find 'iothread' : {id}", sched, "iothreads");
                }
            }
        }
    }

    private static void CheckDisk(XElement disk, HashSet<uint> ids)
    {
        if (disk.Element(XmlNames.Driver) is not { } driver || driver.UInt(XmlNames.Iothread) is not { } id || id == 0)
        {
            return;
        }

        string bus = DiskTarget.Bus(disk);
        if (bus != "virtio")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                $"IOThreads not available for bus {bus} target {disk.Element(XmlNames.Target)?.Attr(XmlNames.Dev)}", driver, "iothread");
        }

        if (!ids.Contains(id))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"Disk iothread '{id}' not defined in iothreadid", driver, "iothread");
        }
    }

    private static void CheckController(XElement controller, HashSet<uint> ids)
    {
        if (controller.Element(XmlNames.Driver) is not { } driver || driver.UInt(XmlNames.Iothread) is not { } id || id == 0)
        {
            return;
        }

        // A SCSI controller without a model gets the machine's default one, which may be virtio-scsi.
        bool virtioScsi = controller.Attr(XmlNames.Type) == "scsi"
            && controller.Attr(XmlNames.Model) is null or "virtio-scsi" or "virtio-transitional" or "virtio-non-transitional";
        if (!virtioScsi)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "'iothread' is only supported for virtio-scsi controller",
                driver, "iothread");
        }

        if (controller.Element(XmlNames.Address)?.Attr(XmlNames.Type) is { } type && type is not ("pci" or "ccw"))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "virtio-scsi IOThreads only available for virtio pci and virtio ccw controllers", controller.Element(XmlNames.Address), "type");
        }

        if (!ids.Contains(id))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"controller iothread '{id}' not defined in iothreadid",
                driver, "iothread");
        }
    }
}
