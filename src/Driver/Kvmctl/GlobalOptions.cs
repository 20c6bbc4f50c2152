using System.CommandLine;

namespace Kvm.Kvmctl;

/// <summary>The options every D-Bus verb shares (virsh's <c>-c URI</c> and <c>-q</c>), given before or after the verb.</summary>
internal static class GlobalOptions
{
    public static Option<string?> Connect { get; } = new("--connect", "-c")
    {
        Description = "The bus kvmd serves: session or system (or qemu:///session, qemu:///system); default " +
                      "$" + BusTarget.BusVariable + ", else system for root and session for others",
        Recursive = true,
    };

    public static Option<bool> Quiet { get; } = new("--quiet", "-q")
    {
        Description = "Quiet mode: no table header, no informational messages",
        Recursive = true,
    };

    /// <summary>For tests: the Connect object path (libvirt-dbus's test driver is at /org/libvirt/Test).</summary>
    public static Option<string?> ObjectPath { get; } = new("--object-path")
    {
        Description = "The org.libvirt Connect object (default $" + BusTarget.ObjectPathVariable + ", else " + BusTarget.DefaultConnectPath + ")",
        Recursive = true,
        Hidden = true,
    };
}
