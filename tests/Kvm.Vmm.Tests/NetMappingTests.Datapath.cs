using Kvm.Vmm.Launch;
using Kvm.Vmm.Net;
using Kvm.Vmm.Vhost;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// <c>&lt;driver name&gt;</c> onto the datapath, as libvirt's QEMU driver reads it: vhost-net by default and for
/// name='vhost', kvm-vmm's own for name='qemu' and passt; without a usable /dev/vhost-net no name falls back, and
/// name='vhost' is an error that says why. The opener here is a stand-in (/dev/null, or a failure); the real
/// /dev/vhost-net is opened in the harness's tap test.
/// </summary>
public sealed partial class NetMappingTests
{
    private const ulong AllTransportFeatures = (1UL << 32) | (1UL << 28) | (1UL << 29) | (1UL << 15);

    [TestCase("<interface type='ethernet'><model type='virtio'/></interface>", "VhostIfAvailable")]
    [TestCase("<interface type='ethernet'><model type='virtio'/><driver name='vhost'/></interface>", "Vhost")]
    [TestCase("<interface type='ethernet'><model type='virtio'/><driver name='qemu'/></interface>", "Userspace")]
    [TestCase("<interface type='bridge'><source bridge='br0'/><model type='virtio'/><driver name='vhost'/></interface>", "Vhost")]
    [TestCase("<interface type='bridge'><source bridge='br0'/><model type='virtio'/><driver name='qemu'/></interface>", "Userspace")]
    [TestCase("<interface type='network'><source network='default' bridge='virbr0'/><model type='virtio'/></interface>", "VhostIfAvailable")]
    [TestCase("<interface type='user'><model type='virtio'/><driver name='vhost'/></interface>", "Userspace")]
    public void Plan_DriverName_ChoosesTheDatapath(string nic, string expected)
    {
        var plans = NetMapping.Plan(Parse(nic).Definition.Devices.Interfaces, _ => { });

        Assert.That(plans.Single().Datapath.ToString(), Is.EqualTo(expected));
    }

    [TestCase("vhost")]
    [TestCase("qemu")]
    public void Interface_EitherDriverName_IsSupported(string name)
    {
        var nic = Parse($"<interface type='ethernet'><model type='virtio'/><driver name='{name}'/></interface>").Definition.Devices.Interfaces.Single();

        Assert.That(Kvm.Vmm.Support.VmmSupport.Interface(nic), Is.Null);
    }

    [Test]
    public void OpenVhost_Userspace_NeverOpensTheDevice()
    {
        bool opened = false;

        var vhost = NetMapping.OpenVhost(NetDatapath.Userspace, "net0", () =>
        {
            opened = true;
            throw new VhostException("unexpected", 0);
        });

        Assert.That((vhost, opened), Is.EqualTo(((VhostNet?)null, false)));
    }

    [Test]
    public void OpenVhost_DefaultWithoutTheDevice_FallsBackToUserspace()
    {
        var vhost = NetMapping.OpenVhost(NetDatapath.VhostIfAvailable, "net0", () => throw new VhostException("Cannot open /dev/vhost-net: No such file or directory", 2));

        Assert.That(vhost, Is.Null);
    }

    [Test]
    public void OpenVhost_ExplicitVhostWithoutTheDevice_IsAnErrorThatSaysWhy()
    {
        Assert.That(() => NetMapping.OpenVhost(NetDatapath.Vhost, "net0", () => throw new VhostException("Cannot open /dev/vhost-net: No such file or directory", 2)),
            Throws.InstanceOf<NetBackendException>().With.Message.EqualTo(
                "vhost-net was requested (<driver name='vhost'/>) but is unavailable: Cannot open /dev/vhost-net: No such file or directory"));
    }

    [TestCase("VhostIfAvailable")]
    [TestCase("Vhost")]
    public void OpenVhost_UsableDevice_IsKept(string datapath)
    {
        using var vhost = NetMapping.OpenVhost(Enum.Parse<NetDatapath>(datapath), "net0", () => FakeVhost(AllTransportFeatures));

        Assert.That(vhost, Is.Not.Null);
    }

    [Test]
    public void OpenVhost_KernelWithoutVersion1_FallsBackByDefaultAndIsAnErrorWhenAskedFor()
    {
        VhostNet? made = null;
        var fallback = NetMapping.OpenVhost(NetDatapath.VhostIfAvailable, "net0", () => made = FakeVhost(AllTransportFeatures & ~(1UL << 32)));

        Assert.That(fallback, Is.Null);
        Assert.That(() => made!.Device.SetFeatures(0), Throws.InstanceOf<ObjectDisposedException>(), "the unusable device was closed");
        Assert.That(() => NetMapping.OpenVhost(NetDatapath.Vhost, "net0", () => FakeVhost(AllTransportFeatures & ~(1UL << 32))),
            Throws.InstanceOf<NetBackendException>().With.Message.Contains("lacks features 0x100000000"));
    }

    private static VhostNet FakeVhost(ulong features) =>
        VhostNet.FromDevice(VhostDevice.FromHandle(File.OpenHandle("/dev/null", FileMode.Open, FileAccess.ReadWrite), "/dev/null", features));
}
