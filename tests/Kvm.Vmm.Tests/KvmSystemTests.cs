using Kvm.Vmm.Hypervisor;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

public sealed class KvmSystemTests
{
    [Test]
    public void Open_MissingDevice_SaysKvmIsNotAvailableAndWhy()
    {
        var e = Assert.Throws<KvmException>(() => KvmSystem.Open("/nonexistent/kvm"));
        Assert.That(e!.Message, Is.EqualTo(
            "KVM is not available: /nonexistent/kvm does not exist; is the kvm module loaded (modprobe kvm_intel or kvm_amd)?"));
    }

    [Test]
    public void Open_DeviceWithoutKvmBehindIt_IsRefusedWithoutCrashing()
    {
        // /dev/null opens, but answers KVM's ioctls with an error: the API check must catch it.
        var e = Assert.Throws<KvmException>(() => KvmSystem.Open("/dev/null"));
        Assert.That(e!.Message, Does.StartWith("KVM at /dev/null reports API version -1"));
    }
}
