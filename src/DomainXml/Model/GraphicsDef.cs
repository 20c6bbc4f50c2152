namespace Kvm.DomainXml.Model;

/// <summary><c>&lt;graphics type&gt;</c>: vnc, spice, sdl, rdp, desktop, egl-headless, dbus.</summary>
public sealed record GraphicsDef(string Type, int? Port, bool? Autoport, IReadOnlyList<GraphicsListen> Listens);

/// <summary>A <c>&lt;listen&gt;</c> of a graphics device.</summary>
public sealed record GraphicsListen(string Type, string? Address, string? Network, string? Socket);
