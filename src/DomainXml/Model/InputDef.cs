namespace Kvm.DomainXml.Model;

public enum InputType
{
    Mouse,
    Tablet,
    Keyboard,
    Passthrough,
    Evdev,
}

public enum InputBus
{
    Ps2,
    Usb,
    Xen,
    Parallels,
    Virtio,
    None,
}

public enum InputModel
{
    Virtio,
    VirtioTransitional,
    VirtioNonTransitional,
}

/// <summary>
/// <c>&lt;input type bus model&gt;</c>. Without a bus, the bus is libvirt's parse-time default: PS/2 for an x86
/// mouse or keyboard, virtio for passthrough (and on s390), none for evdev, USB otherwise; Xen for Xen guests.
/// </summary>
public sealed record InputDef
{
    public required InputType Type { get; init; }

    /// <summary>The bus, given or defaulted; null only where libvirt leaves it unset (non-HVM, non-Xen guests).</summary>
    public InputBus? Bus { get; init; }

    public InputModel? Model { get; init; }

    /// <summary>The host device of a passthrough (<c>source/@evdev</c>) or evdev (<c>source/@dev</c>) input.</summary>
    public string? SourceDevice { get; init; }
}
