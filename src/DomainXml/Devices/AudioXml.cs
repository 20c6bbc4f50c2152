using System.Xml.Linq;
using Kvm.DomainXml.General;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Devices;

/// <summary><c>&lt;audio id type&gt;</c>: a host audio backend (virDomainAudioDefParseXML, common attributes).</summary>
internal static class AudioXml
{
    internal static readonly XmlEnum<AudioType> s_type = new(
        (AudioType.None, "none"),
        (AudioType.Alsa, "alsa"),
        (AudioType.Coreaudio, "coreaudio"),
        (AudioType.Jack, "jack"),
        (AudioType.Oss, "oss"),
        (AudioType.Pulseaudio, "pulseaudio"),
        (AudioType.Sdl, "sdl"),
        (AudioType.Spice, "spice"),
        (AudioType.File, "file"),
        (AudioType.Dbus, "dbus"),
        (AudioType.Pipewire, "pipewire"));

    public static AudioDef Parse(XElement audio)
    {
        var type = audio.Enum(XmlNames.Type, s_type, required: true)!.Value;
        uint id = audio.NonZeroUInt("id", required: true)!.Value;
        return new AudioDef(id, type) { TimerPeriod = audio.NonZeroUInt("timerPeriod") };
    }
}
