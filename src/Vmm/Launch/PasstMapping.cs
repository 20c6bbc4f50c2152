using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Kvm.DomainXml.Model;
using Kvm.Vmm.Net;

namespace Kvm.Vmm.Launch;

/// <summary>
/// A user-mode <c>&lt;interface type='user'&gt;</c> (with or without <c>&lt;backend type='passt'/&gt;</c>: QEMU's
/// slirp is not available, so passt serves both) as passt's options, as libvirt 9.0's qemuPasstStart writes them:
/// <c>--mac-addr</c> with the interface's MAC, <c>--mtu</c>, <c>--interface</c> from <c>&lt;source dev&gt;</c>,
/// <c>--log-file</c> from <c>&lt;backend logFile&gt;</c>, <c>--address</c> (and <c>--netmask</c> with an IPv4
/// prefix) per <c>&lt;ip&gt;</c>, and one <c>--tcp-ports</c> or <c>--udp-ports</c> per <c>&lt;portForward&gt;</c>:
/// <c>[address[%dev]/]</c> then its ranges, <c>[~]start[-end][:to[-to+end-start]]</c>, comma-separated, or
/// <c>all</c> without ranges. Pure: nothing is started.
/// </summary>
internal static class PasstMapping
{
    public static PasstOptions Options(InterfaceDef nic, string mac)
    {
        var arguments = new List<string> { "--mac-addr", mac };
        if (nic.Mtu is { } mtu and > 0)
        {
            arguments.AddRange(["--mtu", Number(mtu)]);
        }

        if (nic.Source is { } dev)
        {
            arguments.AddRange(["--interface", dev]);
        }

        if (nic.BackendLogFile is { } logFile)
        {
            arguments.AddRange(["--log-file", logFile]);
        }

        foreach (var ip in nic.Ips)
        {
            arguments.AddRange(["--address", ip.Address.ToString()]);
            if (ip.Prefix > 0 && ip.Address.AddressFamily == AddressFamily.InterNetwork)
            {
                arguments.AddRange(["--netmask", Number(ip.Prefix)]);
            }
        }

        foreach (var forward in nic.PortForwards)
        {
            arguments.AddRange([forward.Proto == "udp" ? "--udp-ports" : "--tcp-ports", PortSpec(forward)]);
        }

        return new PasstOptions { Arguments = arguments };
    }

    /// <summary>One <c>&lt;portForward&gt;</c> as passt's port specification.</summary>
    internal static string PortSpec(PortForwardDef forward)
    {
        var spec = new StringBuilder();
        if (forward.Address is { } address)
        {
            spec.Append(System.Net.IPAddress.Parse(address).ToString()); // canonical, as virSocketAddrFormat
            if (forward.Dev is { } dev)
            {
                spec.Append('%').Append(dev);
            }

            spec.Append('/');
        }

        if (forward.Ranges.Count == 0)
        {
            return spec.Append("all").ToString();
        }

        for (int i = 0; i < forward.Ranges.Count; i++)
        {
            var range = forward.Ranges[i];
            if (i > 0)
            {
                spec.Append(',');
            }

            if (range.Exclude == true)
            {
                spec.Append('~');
            }

            spec.Append(Number(range.Start ?? 0));
            if (range.End is { } end)
            {
                spec.Append('-').Append(Number(end));
            }

            if (range.To is { } to)
            {
                spec.Append(':').Append(Number(to));
                if (range.End is { } last)
                {
                    spec.Append('-').Append(Number(last + to - (range.Start ?? 0)));
                }
            }
        }

        return spec.ToString();
    }

    private static string Number(uint value) => value.ToString(CultureInfo.InvariantCulture);
}
