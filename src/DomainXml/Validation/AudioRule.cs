using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Audio back ends (<c>&lt;audio id&gt;</c>) are referred to by id from sound devices and VNC displays: each id is used
/// once and each reference names one; SPICE audio travels over a SPICE display; ICH7 sound has no QEMU model
/// (virDomainAudioDefValidate, virDomainEnsureAudioID, qemuValidateDomainDeviceDefAudio,
/// qemuValidateDomainDeviceDefSound).
/// </summary>
internal sealed class AudioRule : IDomainRule
{
    public XName[] Triggers { get; } = [XmlNames.Audio, XmlNames.Sound, XmlNames.Graphics];

    public void Check(ValidationContext context)
    {
        if (context.Devices is not { } devices)
        {
            return;
        }

        var ids = new HashSet<uint>();
        bool spice = devices.Elements(XmlNames.Graphics).Any(g => g.Attr(XmlNames.Type) == "spice");
        foreach (var audio in devices.Elements(XmlNames.Audio))
        {
            if (audio.UInt(XmlNames.Id) is { } id && !ids.Add(id))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"audio ID {id} is used multiple times", audio, "id");
            }

            if (audio.Attr(XmlNames.Type) == "spice" && !spice)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Spice audio is not supported without spice graphics", audio, "type");
            }
        }

        foreach (var sound in devices.Elements(XmlNames.Sound))
        {
            if (sound.Attr(XmlNames.Model) == "ich7")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.InternalError, "sound card model 'ich7' is not supported by qemu", sound, "model");
            }

            EnsureAudio(sound.Element(XmlNames.Audio), ids);
        }

        foreach (var vnc in devices.Elements(XmlNames.Graphics).Where(g => g.Attr(XmlNames.Type) == "vnc"))
        {
            EnsureAudio(vnc.Element(XmlNames.Audio), ids);
        }
    }

    private static void EnsureAudio(XElement? reference, HashSet<uint> ids)
    {
        if (reference?.UInt(XmlNames.Id) is { } id and not 0 && !ids.Contains(id))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"no audio device with ID {id}", reference, "id");
        }
    }
}
