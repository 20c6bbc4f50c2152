using System.Net;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests.Model;

/// <summary>A user-mode interface's <c>&lt;ip&gt;</c> and <c>&lt;portForward&gt;</c> (libvirt 9.0's passt options), typed.</summary>
public sealed partial class TypedModelTests
{
    [Test]
    public void ParseInterface_IpAndPortForward_AreTyped()
    {
        var nic = Parse(Domain("<interface type='user'><backend type='passt'/><ip address='10.0.2.15' prefix='24'/><ip address='fd00::15' family='ipv6'/>" +
                               "<portForward proto='udp' address='::1' dev='eth0'><range start='5000' end='5010' to='6000'/><range start='5005' exclude='yes'/></portForward>" +
                               "</interface>")).Devices.Interfaces.Single();

        Assert.That(nic.Ips, Is.EqualTo(new[]
        {
            new GuestIpDef { Address = IPAddress.Parse("10.0.2.15"), Prefix = 24 },
            new GuestIpDef { Address = IPAddress.Parse("fd00::15") },
        }));
        var forward = nic.PortForwards.Single();
        Assert.That((forward.Proto, forward.Address, forward.Dev), Is.EqualTo(("udp", "::1", "eth0")));
        Assert.That(forward.Ranges, Is.EqualTo(new[]
        {
            new PortForwardRangeDef { Start = 5000, End = 5010, To = 6000 },
            new PortForwardRangeDef { Start = 5005, Exclude = true },
        }));
    }

    [TestCase("<ip address='fd00::15' family='ipv4'/>", "XML error: Invalid address 'fd00::15' in <ip>", "/domain/devices/interface/ip/@address")]
    [TestCase("<ip address='10.0.2.15' family='ipv6'/>", "XML error: Invalid address '10.0.2.15' in <ip>", "/domain/devices/interface/ip/@address")]
    [TestCase("<ip address='10.0.2.15' prefix='33'/>", "XML error: Invalid prefix value '33' in <ip>", "/domain/devices/interface/ip/@prefix")]
    [TestCase("<ip family='ipv4'/>", "XML error: Missing required address in <ip>", "/domain/devices/interface/ip/@address")]
    public void ParseInterface_BadIp_IsRejectedAtTheAttribute(string ip, string message, string path) =>
        AssertRejected(Domain($"<interface type='user'><backend type='passt'/>{ip}</interface>"), DomainXmlErrorKind.XmlError, message, path);
}
