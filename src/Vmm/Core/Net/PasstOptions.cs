namespace Kvm.Vmm.Net;

/// <summary>
/// A passt backend as the XML asks for it: the program (Debian's <c>passt</c>, found on PATH unless a path is given)
/// and the options that describe the guest's network (libvirt's: --mac-addr, --mtu, --address, --tcp-ports, ...).
/// The backend adds those that connect passt to kvm-vmm (--foreground, --fd, --pid).
/// </summary>
public sealed record PasstOptions
{
    public string Program { get; init; } = "passt";

    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>How long passt may take to be ready (it writes its pid file then); slow under emulation.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
