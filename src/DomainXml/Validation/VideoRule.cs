using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Video devices: 'none' (no display adapter at all) stands alone; one device is primary; only QXL and virtio can be
/// secondary or have several heads; QXL's memory settings, resolutions and 3D acceleration belong to the models that
/// have them; ramfb is a boot framebuffer in guest RAM, with no bus address (virDomainVideoDefValidate,
/// virDomainDefVideoValidate, qemuValidateDomainDeviceDefVideo).
/// </summary>
internal sealed class VideoRule : IDomainRule
{
    public XName[] Triggers { get; } = [XmlNames.Video];

    public void Check(ValidationContext context)
    {
        if (context.Devices is not { } devices)
        {
            return;
        }

        var videos = devices.Elements(XmlNames.Video).ToList();
        foreach (var video in videos)
        {
            CheckGeneric(video, videos.Count);
        }

        if (videos.Count(v => v.Element(XmlNames.Model)?.Attr(XmlNames.Primary) == "yes") > 1)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Only one primary video device is supported",
                videos.Where(v => v.Element(XmlNames.Model)?.Attr(XmlNames.Primary) == "yes").ElementAt(1).Element(XmlNames.Model), "primary");
        }

        for (int i = 0; i < videos.Count; i++)
        {
            CheckModel(videos[i], primary: i == 0);
        }
    }

    private static void CheckGeneric(XElement video, int count)
    {
        var model = video.Element(XmlNames.Model);
        string type = model?.Attr(XmlNames.Type) ?? "default";
        if (type == "none" && count > 1)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "a 'none' video type must be the only video device defined for the domain", video);
        }

        var driver = video.Element(XmlNames.Driver);
        if (driver?.Attr(XmlNames.Name) == "vhostuser" && type != "virtio")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "'vhostuser' driver is only supported with 'virtio' device",
                driver, "name");
        }

        if (driver?.Attr(XmlNames.Name) != "vhostuser" && model?.Element(XmlNames.Acceleration)?.Attr(XmlNames.Rendernode) is not null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "unsupported rendernode accel attribute without 'vhostuser'",
                model.Element(XmlNames.Acceleration), "rendernode");
        }

        if (model?.Element(XmlNames.Resolution) is { } resolution && ((resolution.UInt(XmlNames.X) ?? 0) == 0 || (resolution.UInt(XmlNames.Y) ?? 0) == 0))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "video resolution values must be greater than 0", resolution);
        }

        if (type != "qxl" && model is not null)
        {
            foreach (string attribute in new[] { "ram", "vram64", "vgamem" })
            {
                if ((model.UInt(attribute) ?? 0) != 0)
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"{attribute} attribute only supported for video type qxl",
                        model, attribute);
                }
            }
        }

        if (type == "ramfb" && video.Element(XmlNames.Address) is { } address)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "address not supported for video type ramfb", address);
        }

        if (type != "virtio" && driver is not null && DiskBusRule.VirtioOption(driver) is { } option)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, DiskBusRule.VirtioOptionDetail(option), driver, option);
        }
    }

    /// <summary>The limits of the emulated adapters (the primary video is the first once post-parse has run).</summary>
    private static void CheckModel(XElement video, bool primary)
    {
        var model = video.Element(XmlNames.Model);
        string type = model?.Attr(XmlNames.Type) ?? "default";
        if (model is null || type is "none" or "default")
        {
            return;
        }

        if (type is not ("qxl" or "virtio"))
        {
            if (!primary)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"video type '{type}' is only valid as primary video device", video);
            }

            if (model.UInt(XmlNames.Heads) is { } heads && heads != 1)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"video type '{type}' doesn't support multiple 'heads'",
                    model, "heads");
            }
        }

        var acceleration = model.Element(XmlNames.Acceleration);
        if (acceleration?.Attr(XmlNames.Accel2d) == "yes")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "qemu does not support the accel2d setting", acceleration, "accel2d");
        }

        if (type == "qxl" && model.UInt(XmlNames.Vgamem) is { } vgamem and not 0)
        {
            if (vgamem < 1024)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "value for 'vgamem' must be at least 1 MiB (1024 KiB)",
                    model, "vgamem");
            }

            if ((vgamem & (vgamem - 1)) != 0)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "value for 'vgamem' must be power of two", model, "vgamem");
            }
        }

        if (type is not ("vga" or "qxl" or "virtio" or "bochs") && model.Element(XmlNames.Resolution) is { } resolution)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "model resolution is not supported", resolution);
        }

        if (type is "vga" or "vmvga" && model.UInt(XmlNames.Vram) is { } vram and > 0 and < 1024)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "value for 'vram' must be at least 1 MiB (1024 KiB)", model, "vram");
        }

        if (video.Element(XmlNames.Driver)?.Attr(XmlNames.Name) != "vhostuser" && acceleration?.Attr(XmlNames.Accel3d) == "yes" && type != "virtio")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "3d acceleration is supported only with 'virtio' video device",
                acceleration, "accel3d");
        }
    }
}
