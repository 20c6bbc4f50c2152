using Kvm.DomainXml;
using Kvm.DomainXml.Model;
using Kvm.Vmm.Launch;
using Kvm.Vmm.Vhost;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// <c>&lt;vsock&gt;</c> onto kvm-vmm's virtio-vsock: which CID each spelling asks for, and the errors a user meets
/// (an out-of-range or busy CID, no vhost-vsock) naming the element and the file.
/// </summary>
public sealed class VsockMappingTests
{
    [TestCase("<vsock model='virtio'><cid auto='yes'/></vsock>", null)]
    [TestCase("<vsock model='virtio'/>", null)]
    [TestCase("<vsock model='virtio'><cid auto='yes' address='7'/></vsock>", null)]
    [TestCase("<vsock model='virtio'><cid auto='no' address='3'/></vsock>", 3u)]
    [TestCase("<vsock model='virtio'><cid address='42'/></vsock>", 42u)]
    [TestCase("<vsock model='virtio'><cid auto='no' address='4294967294'/></vsock>", 4294967294u)]
    public void RequestedCid_EachSpelling_AsksForWhatLibvirtGives(string vsock, uint? expected)
    {
        Assert.That(VsockMapping.RequestedCid(Vsock(vsock), "guest.xml"), Is.EqualTo(expected));
    }

    [Test]
    public void RequestedCid_AutoNoWithoutAddress_IsAClearError()
    {
        Assert.That(() => VsockMapping.RequestedCid(new VsockDef { Model = VsockModel.Virtio, AutoCid = false }, "guest.xml"),
            Throws.InstanceOf<LaunchException>().With.Message.EqualTo(
                "guest.xml: devices/vsock/cid: auto='no' needs an address (a guest CID from 3 to 4294967294)"));
    }

    [TestCase(2u)]
    [TestCase(4294967295u)]
    public void RequestedCid_OutOfRange_IsAClearErrorNamingTheAttribute(uint cid)
    {
        Assert.That(() => VsockMapping.RequestedCid(new VsockDef { Model = VsockModel.Virtio, AutoCid = false, Cid = cid }, "guest.xml"),
            Throws.InstanceOf<LaunchException>().With.Message.EqualTo(
                $"guest.xml: devices/vsock/cid/@address: guest CID {cid} is out of range (3 to 4294967294; 0 to 2 are the hypervisor's and the host's)"));
    }

    [Test]
    public void Open_NoVsock_IsNull()
    {
        Assert.That(VsockMapping.Open(null, "guest.xml"), Is.Null);
    }

    [Test]
    public void Open_DeviceMissing_NamesTheFileAndTheModule()
    {
        Assert.That(() => VsockMapping.Open(Vsock("<vsock model='virtio'><cid auto='no' address='5'/></vsock>"), "guest.xml",
                cid => VhostVsock.Open(cid, "/nonexistent/vhost-vsock")),
            Throws.InstanceOf<LaunchException>().With.Message.EqualTo(
                "guest.xml: vsock: Cannot open /nonexistent/vhost-vsock: No such file or directory (load the kernel module: modprobe vhost_vsock)"));
    }

    [Test]
    public void Open_CidInUse_NamesTheCid()
    {
        Assert.That(() => VsockMapping.Open(Vsock("<vsock model='virtio'><cid auto='no' address='9'/></vsock>"), "guest.xml",
                cid => throw new VhostException($"Guest CID {cid} is already in use by another VM on this host", 98)),
            Throws.InstanceOf<LaunchException>().With.Message.EqualTo("guest.xml: vsock: Guest CID 9 is already in use by another VM on this host"));
    }

    private static VsockDef Vsock(string vsock) =>
        DomainXmlParser.Parse($"""
            <domain type='kvm'>
              <name>vsock-mapping</name>
              <memory unit='MiB'>128</memory>
              <os><type arch='x86_64'>hvm</type><kernel>/nonexistent/vmlinuz</kernel></os>
              <devices>{vsock}</devices>
            </domain>
            """, "guest.xml", DomainParseFlags.Inactive).Definition.Devices.Vsock!;
}
