namespace Kvm.DomainXml.Model;

public enum SoundModel
{
    Sb16,
    Es1370,
    Pcspk,
    Ac97,
    Ich6,
    Ich9,
    Usb,
    Ich7,
    Virtio,
}

/// <summary><c>&lt;sound model&gt;</c> and the <c>&lt;audio id&gt;</c> backend it plays through.</summary>
public sealed record SoundDef(SoundModel Model, uint? AudioId);
