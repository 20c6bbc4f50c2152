using Kvm.Vmm.Vhost;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Vhost;

/// <summary>Opening vhost-vsock: the errors a user meets before any VM starts (the device itself is tested in the harness).</summary>
public sealed class VhostVsockTests
{
    [Test]
    public void Open_DeviceMissing_SaysWhichModuleToLoad()
    {
        Assert.That(() => VhostVsock.Open(5, "/nonexistent/vhost-vsock"),
            Throws.InstanceOf<VhostException>().With.Message.EqualTo(
                "Cannot open /nonexistent/vhost-vsock: No such file or directory (load the kernel module: modprobe vhost_vsock)"));
    }

    [TestCase(0u)]
    [TestCase(2u)]
    [TestCase(0xFFFF_FFFFu)]
    public void Open_ReservedCid_IsRefusedBeforeTheDeviceIsOpened(uint cid)
    {
        Assert.That(() => VhostVsock.Open(cid, "/nonexistent/vhost-vsock"),
            Throws.InstanceOf<VhostException>().With.Message.EqualTo($"Guest CID {cid} is out of range (3 to 4294967294)"));
    }
}
