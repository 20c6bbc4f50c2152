namespace Kvm.Driver.Networks;

/// <summary>The one table of forward mode names (virNetworkForwardType's strings), for the parser and the formatter.</summary>
public static class NetworkForwardModes
{
    private static readonly string[] s_names = ["none", "nat", "route", "open", "bridge", "private", "vepa", "passthrough", "hostdev"];

    public static string Name(NetworkForwardMode mode) => s_names[(int)mode];

    public static bool TryParse(string name, out NetworkForwardMode mode)
    {
        int index = Array.IndexOf(s_names, name);
        mode = index < 0 ? NetworkForwardMode.None : (NetworkForwardMode)index;
        return index >= 0;
    }

    /// <summary>The modes where libvirt makes and manages the bridge itself (stp and delay apply, a MAC is assigned).</summary>
    public static bool HasManagedBridge(NetworkForwardMode mode) =>
        mode is NetworkForwardMode.None or NetworkForwardMode.Nat or NetworkForwardMode.Route or NetworkForwardMode.Open;
}
