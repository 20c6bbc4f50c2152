using Kvm.DomainXml;
using Kvm.DomainXml.Errors;
using Kvm.Vmm.Launch;
using Kvm.Vmm.Net;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// <c>&lt;interface type='user'&gt;</c> onto passt's options, as libvirt 9.0's qemuPasstStart writes them (nothing is
/// started here), and the errors a user gets for what passt or kvm-vmm cannot take.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PasstMappingTests
{
    [Test]
    public void Plan_PlainUser_UsesPasstWithTheInterfacesMac()
    {
        var plan = Single("<interface type='user'><mac address='52:54:00:aa:bb:cc'/><model type='virtio'/></interface>");

        Assert.That(plan.Tap, Is.Null);
        Assert.That(plan.Passt, Is.Not.Null);
        Assert.That(plan.Passt!.Program, Is.EqualTo("passt"));
        Assert.That(plan.Passt.Arguments, Is.EqualTo(new[] { "--mac-addr", "52:54:00:aa:bb:cc" }));
        Assert.That(plan.Device.Mac, Is.EqualTo(new byte[] { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc }));
        Assert.That((plan.Device.Name, plan.Device.Mtu, plan.Device.LinkUp), Is.EqualTo(("net0", (ushort?)null, true)));
    }

    /// <summary>libvirt's own test domain net-user-passt.xml (tests/qemuxml2argvdata), its interface as it is.</summary>
    [Test]
    public void Plan_LibvirtsPasstSample_GivesLibvirtsOptions()
    {
        var plan = Single("""
            <interface type='user'>
              <mac address='00:11:22:33:44:55'/>
              <source dev='eth42'/>
              <ip address='172.17.2.0' family='ipv4' prefix='24'/>
              <ip address='2001:db8:ac10:fd01::feed' family='ipv6'/>
              <portForward proto='tcp' address='2001:db8:ac10:fd01::1:10'>
                <range start='22' to='2022'/>
                <range start='1000' end='1050'/>
                <range start='1020' exclude='yes'/>
                <range start='1030' end='1040' exclude='yes'/>
              </portForward>
              <portForward proto='udp' address='1.2.3.4' dev='eth0'>
                <range start='5000' end='5020' to='6000'/>
                <range start='5010' end='5015' exclude='yes'/>
              </portForward>
              <portForward proto='tcp'>
                <range start='80'/>
              </portForward>
              <portForward proto='tcp'>
                <range start='443' to='344'/>
              </portForward>
              <model type='virtio'/>
              <backend type='passt' logFile='/var/log/loglaw.blog'/>
              <mtu size='1400'/>
            </interface>
            """);

        Assert.That(plan.Passt!.Arguments, Is.EqualTo(new[]
        {
            "--mac-addr", "00:11:22:33:44:55", "--mtu", "1400", "--interface", "eth42", "--log-file", "/var/log/loglaw.blog",
            "--address", "172.17.2.0", "--netmask", "24", "--address", "2001:db8:ac10:fd01::feed",
            "--tcp-ports", "2001:db8:ac10:fd01::1:10/22:2022,1000-1050,~1020,~1030-1040",
            "--udp-ports", "1.2.3.4%eth0/5000-5020:6000-6020,~5010-5015",
            "--tcp-ports", "80",
            "--tcp-ports", "443:344",
        }));
        Assert.That(plan.Device.Mtu, Is.EqualTo(1400));
    }

    [TestCase("<portForward proto='tcp'/>", "all")]
    [TestCase("<portForward proto='udp' address='127.0.0.1'/>", "127.0.0.1/all")]
    [TestCase("<portForward proto='tcp' dev='eth0'><range start='8080'/></portForward>", "8080")]
    [TestCase("<portForward proto='tcp' address='0:0:0:0:0:0:0:1'><range start='22' end='23' exclude='no'/></portForward>", "::1/22-23")]
    public void PortSpec_AsLibvirtWritesIt(string forward, string spec)
    {
        var plan = Single($"<interface type='user'><model type='virtio'/><backend type='passt'/>{forward}</interface>");

        Assert.That(plan.Passt!.Arguments[^1], Is.EqualTo(spec));
    }

    [TestCase("<portForward proto='sctp'><range start='22'/></portForward>", "Invalid value for attribute 'proto' in element 'portForward': 'sctp'")]
    [TestCase("<portForward><range start='22'/></portForward>", "Missing required attribute 'proto' in element 'portForward'")]
    [TestCase("<portForward proto='tcp' address='not-an-address'/>", "Invalid address 'not-an-address' in <portForward>")]
    [TestCase("<portForward proto='tcp'><range start='0'/></portForward>", "Zero is not permitted")]
    [TestCase("<portForward proto='tcp'><range start='x'/></portForward>", "Invalid value for attribute 'start' in element 'range'")]
    [TestCase("<portForward proto='tcp'><range end='30'/></portForward>", "requires 'start' attribute if 'end', 'to', or 'exclude' is specified")]
    [TestCase("<ip address='10.0.0.300'/>", "Invalid address '10.0.0.300' in <ip>")]
    [TestCase("<ip address='fd00::3' family='ipv4'/>", "Invalid address 'fd00::3' in <ip>")]
    [TestCase("<ip address='10.0.0.3' prefix='2'/>", "invalid prefix, must be in range of 4-27")]
    [TestCase("<ip address='10.0.0.3'/><ip address='10.0.0.4'/>", "Only one IPv4 address per interface is allowed")]
    [TestCase("<ip address='fd00::3' prefix='48'/>", "unsupported IPv6 address prefix='48' - must be 64")]
    public void Parse_BadPasstInput_IsAClearErrorAtItsPlace(string element, string message)
    {
        var error = Assert.Throws<DomainXmlException>(() => Parse($"<interface type='user'><model type='virtio'/><backend type='passt'/>{element}</interface>"));

        Assert.That(error!.Message, Does.Contain(message));
        Assert.That(error.ToUserMessage(), Does.Contain("interface"), "the location names the interface");
    }

    [Test]
    public void Plan_SourceDevTooLong_IsRefusedBeforePasstStarts()
    {
        Assert.That(() => NetMapping.Plan(Parse("<interface type='user'><source dev='a-name-longer-than-15'/><model type='virtio'/></interface>").Definition.Devices.Interfaces, _ => { }),
            Throws.InstanceOf<LaunchException>().With.Message.EqualTo("interface net0: source dev 'a-name-longer-than-15' is longer than 15 bytes, the most an interface name has (IFNAMSIZ)"));
    }

    [Test]
    public void Start_PasstMissing_NamesThePackage()
    {
        Assert.That(() => PasstBackend.Start(new PasstOptions { Program = "/nonexistent/bin/passt" }, "net0"),
            Throws.InstanceOf<NetBackendException>().With.Message.EqualTo(
                "Cannot find '/nonexistent/bin/passt': user-mode networking (<interface type='user'>) runs passt, from Debian's package 'passt' (apt-get install passt)"));
    }

    [Test]
    public void Start_PasstRefusesItsOptions_SaysWhatPasstSaid()
    {
        if (Net.PasstBackendTests.Passt() is null)
        {
            Assert.Ignore("needs passt (Debian's package 'passt'; .ci/run installs it)");
        }

        Assert.That(() => PasstBackend.Start(new PasstOptions { Arguments = ["--tcp-ports", "bogus"] }, "net0"),
            Throws.InstanceOf<NetBackendException>().With.Message.StartsWith("passt exited with status 1 at start:")
                .And.Message.Contains("bogus"));
    }

    private static NicPlan Single(string nic)
    {
        var plans = NetMapping.Plan(Parse(nic).Definition.Devices.Interfaces, _ => { });
        Assert.That(plans, Has.Count.EqualTo(1));
        return plans[0];
    }

    private static DomainDocument Parse(string devices) => DomainXmlParser.Parse($"""
        <domain type='kvm'>
          <name>passt-mapping</name>
          <memory unit='MiB'>128</memory>
          <os><type arch='x86_64'>hvm</type><kernel>/nonexistent/vmlinuz</kernel></os>
          <devices>
            {devices}
          </devices>
        </domain>
        """, "guest.xml", DomainParseFlags.Inactive);
}
