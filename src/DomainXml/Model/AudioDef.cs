namespace Kvm.DomainXml.Model;

public enum AudioType
{
    None,
    Alsa,
    Coreaudio,
    Jack,
    Oss,
    Pulseaudio,
    Sdl,
    Spice,
    File,
    Dbus,
    Pipewire,
}

/// <summary><c>&lt;audio id type&gt;</c>: a host audio backend that sound devices refer to by id (1 or more).</summary>
public sealed record AudioDef(uint Id, AudioType Type)
{
    /// <summary>The timer period in microseconds (<c>timerPeriod</c>).</summary>
    public uint? TimerPeriod { get; init; }
}
