using System.Globalization;
using Kvm.DomainXml.Model;
using Kvm.Vmm.Devices.Virtio.Net;
using Kvm.Vmm.Machine;
using Kvm.Vmm.Net;
using Kvm.Vmm.Support;
using Kvm.Vmm.Vhost;
using NLog;

namespace Kvm.Vmm.Launch;

/// <summary>
/// A domain's <c>&lt;interface&gt;</c> elements as kvm-vmm's virtio-net NICs on taps, as libvirt's QEMU driver sets
/// them up: <c>type='ethernet'</c> creates the tap <c>&lt;target dev&gt;</c> (or the first free vnetN), or opens an
/// existing one with <c>managed='no'</c>; <c>type='bridge'</c> creates a tap and adds it to the bridge, and so does
/// <c>type='network'</c>, to the bridge kvmd put on its live <c>&lt;source network bridge&gt;</c>. A tap kvm-vmm created
/// disappears when it closes it at the end. <c>type='user'</c> starts passt (<see cref="PasstMapping"/>).
/// The NICs are named net0, net1, ... as libvirt's aliases. A tap's frames go through vhost-net unless
/// <c>&lt;driver name='qemu'/&gt;</c> says otherwise (<see cref="NetDatapath"/>).
/// </summary>
internal static class NetMapping
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    /// <summary>What each interface kvm-vmm runs asks for: the tap or passt, the device, its slot. Pure: nothing is opened.</summary>
    public static List<NicPlan> Plan(IEnumerable<InterfaceDef> interfaces, Action<string> warn)
    {
        var plans = new List<NicPlan>();
        foreach (var nic in interfaces.Where(n => VmmSupport.Interface(n) is null))
        {
            string name = string.Create(CultureInfo.InvariantCulture, $"net{plans.Count}");
            if (InterfaceNameProblem(nic.TargetDev) is { } targetProblem)
            {
                throw new LaunchException($"interface {name}: target dev '{nic.TargetDev}' {targetProblem}");
            }

            string? bridge = nic.Type switch
            {
                "bridge" => nic.Source,
                "network" => nic.SourceBridge,   // the running network's bridge, which kvmd put on the live definition
                _ => null,
            };
            if (bridge is not null && InterfaceNameProblem(bridge) is { } bridgeProblem)
            {
                throw new LaunchException($"interface {name}: source bridge '{bridge}' {bridgeProblem}");
            }

            if (nic.Type == "user" && InterfaceNameProblem(nic.Source) is { } devProblem)
            {
                throw new LaunchException($"interface {name}: source dev '{nic.Source}' {devProblem}");
            }

            byte[] mac = Mac(nic.Mac);
            ushort? mtu = nic.Mtu is { } size and > 0 ? (ushort)size : null;
            TapOptions? tap = nic.Type == "user" ? null : new TapOptions
            {
                Name = nic.TargetDev,
                Managed = !nic.TargetUnmanaged,
                Bridge = bridge,
                Mtu = mtu,
                GuestMac = mac,
            };
            PasstOptions? passt = nic.Type == "user" ? PasstMapping.Options(nic, nic.Mac!) : null;
            var device = new VirtioNetConfig
            {
                Name = name,
                Mac = mac,
                Mtu = mtu,
                LinkUp = nic.LinkState != "down",
                QueuePairs = nic.Queues is > 1 and var queues ? (int)queues : 1, // VmmSupport refused more than MaxQueuePairs
            };
            plans.Add(new NicPlan(tap, passt, device, PciSlotMapping.Slot(nic.PciAddress, $"interface {name}", warn), DatapathOf(nic)));
        }

        return plans;
    }

    /// <summary>Opens the taps and starts passt for the interfaces kvm-vmm runs; on failure closes what it opened and says which one failed.</summary>
    public static List<NicConfig> Open(IEnumerable<InterfaceDef> interfaces, string file, Action<string> warn, Func<VhostNet>? openVhost = null)
    {
        var opened = new List<NicConfig>();
        try
        {
            foreach (var plan in Plan(interfaces, warn))
            {
                try
                {
                    opened.Add(OpenNic(plan, openVhost ?? (() => VhostNet.Open())));
                }
                catch (NetBackendException e)
                {
                    throw new LaunchException($"{file}: interface {plan.Device.Name}: {e.Message}");
                }
            }

            return opened;
        }
        catch
        {
            opened.ForEach(n => n.Close());
            throw;
        }
    }

    /// <summary>
    /// One NIC's backends: passt, or the tap with a queue per pair; and on a tap, vhost-net per pair when the datapath
    /// is the kernel's (pair 0's decides, as <see cref="OpenVhost"/> says; the others must then open too, as in QEMU).
    /// </summary>
    private static NicConfig OpenNic(NicPlan plan, Func<VhostNet> openVhost)
    {
        if (plan.Passt is { } passt)
        {
            return new NicConfig(PasstBackend.Start(passt, plan.Device.Name), plan.Device, plan.Slot);
        }

        var taps = TapBackend.OpenQueues(plan.Tap!, plan.Device.QueuePairs);
        var vhosts = new List<VhostNet>();
        try
        {
            if (OpenVhost(plan.Datapath, plan.Device.Name, openVhost) is { } first)
            {
                vhosts.Add(first);
                for (int pair = 1; pair < taps.Count; pair++)
                {
                    vhosts.Add(OpenPairVhost(openVhost, pair));
                }
            }
        }
        catch
        {
            vhosts.ForEach(v => v.Dispose());
            foreach (var tap in taps)
            {
                tap.Dispose();
            }

            throw;
        }

        return new NicConfig(taps[0], plan.Device, plan.Slot, vhosts.Count > 0 ? vhosts[0] : null)
        {
            ExtraTapQueues = [.. taps.Skip(1)],
            ExtraVhosts = [.. vhosts.Skip(1)],
        };
    }

    private static VhostNet OpenPairVhost(Func<VhostNet> openVhost, int pair)
    {
        try
        {
            return openVhost();
        }
        catch (VhostException e)
        {
            throw new NetBackendException($"vhost-net for queue pair {pair}: {e.Message}");
        }
    }

    /// <summary>The datapath <c>&lt;driver name&gt;</c> asks for; passt has no tap for the kernel, so it is always kvm-vmm's.</summary>
    internal static NetDatapath DatapathOf(InterfaceDef nic) => nic switch
    {
        { Type: "user" } or { DriverName: "qemu" } => NetDatapath.Userspace,
        { DriverName: "vhost" } => NetDatapath.Vhost,
        _ => NetDatapath.VhostIfAvailable,
    };

    /// <summary>
    /// vhost-net for a tap as <paramref name="datapath"/> asks, or null for kvm-vmm's own datapath. Without a driver
    /// name a device that cannot be opened or lacks what the transport offers means the userspace datapath, logged
    /// with the reason; with <c>name='vhost'</c> it is an error, as in libvirt.
    /// </summary>
    internal static VhostNet? OpenVhost(NetDatapath datapath, string nic, Func<VhostNet> open)
    {
        if (datapath == NetDatapath.Userspace)
        {
            return null;
        }

        string? reason;
        try
        {
            var vhost = open();
            reason = VhostNetFeatures.Unusable(vhost.Device.Features);
            if (reason is null)
            {
                return vhost;
            }

            vhost.Dispose();
        }
        catch (VhostException e)
        {
            reason = e.Message;
        }

        if (datapath == NetDatapath.Vhost)
        {
            throw new NetBackendException($"vhost-net was requested (<driver name='vhost'/>) but is unavailable: {reason}");
        }

        s_log.Info("{Nic}: vhost-net is unavailable, kvm-vmm's userspace datapath moves the frames: {Reason}", nic, reason);
        return null;
    }

    /// <summary>Why Linux would refuse <paramref name="name"/> as an interface name (dev_valid_name), or null.</summary>
    internal static string? InterfaceNameProblem(string? name) => name switch
    {
        null => null,
        "" or "." or ".." => "is not a valid interface name",
        _ when System.Text.Encoding.UTF8.GetByteCount(name) > 15 => "is longer than 15 bytes, the most an interface name has (IFNAMSIZ)",
        _ when name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c)) => "is not a valid interface name (no '/', ':' or white space)",
        _ => null,
    };

    /// <summary>The MAC post-parse assigned (libvirt's 52:54:00:xx:xx:xx when the XML had none), as six bytes.</summary>
    private static byte[] Mac(string? text)
    {
        if (text is null)
        {
            throw new LaunchException("an interface has no MAC address (the definition was not post-parsed)");
        }

        return [.. text.Split(':').Select(part => byte.Parse(part, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture))];
    }
}
