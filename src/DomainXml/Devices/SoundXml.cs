using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.General;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Devices;

/// <summary><c>&lt;sound&gt;</c>: model, codecs and the audio backend it uses (virDomainSoundDefParseXML).</summary>
internal static class SoundXml
{
    internal static readonly XmlEnum<SoundModel> s_model = new(
        (SoundModel.Sb16, "sb16"),
        (SoundModel.Es1370, "es1370"),
        (SoundModel.Pcspk, "pcspk"),
        (SoundModel.Ac97, "ac97"),
        (SoundModel.Ich6, "ich6"),
        (SoundModel.Ich9, "ich9"),
        (SoundModel.Usb, "usb"),
        (SoundModel.Ich7, "ich7"),
        (SoundModel.Virtio, "virtio"));

    private static readonly HashSet<string> s_codecTypes = ["duplex", "micro", "output"];

    public static SoundDef Parse(XElement sound)
    {
        var model = sound.Enum(XmlNames.Model, s_model, required: true)!.Value;
        if (model is SoundModel.Ich6 or SoundModel.Ich7 or SoundModel.Ich9)
        {
            foreach (var codec in sound.Elements(XmlNames.Codec))
            {
                string? type = codec.Attr(XmlNames.Type);
                if (type is null || !s_codecTypes.Contains(type))
                {
                    // libvirt prints a missing type as "(null)".
                    ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"unknown codec type '{type ?? "(null)"}'", codec, "type");
                }
            }
        }

        return new SoundDef(model, sound.Element(XmlNames.Audio)?.NonZeroUInt("id", required: true));
    }
}
