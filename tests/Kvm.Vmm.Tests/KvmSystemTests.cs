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

    [TestCase("processor\t: 0\nflags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep vmx ssse3\n", true)]
    [TestCase("flags\t\t: fpu svm lm\nflags\t\t: fpu svm lm\n", true)]
    [TestCase("processor\t: 0\nflags\t\t: fpu vme de pse tsc msr pae hypervisor lm\nvmx flags\t: vnmi\n", false)]
    [TestCase("model name\t: AMD EPYC svm-less\nflags\t\t: fpu lm\n", false)]
    [TestCase("", false)]
    public void HasHardwareVirtualization_ReadsTheFlagsLine(string cpuInfo, bool expected) =>
        Assert.That(KvmSystem.HasHardwareVirtualization(cpuInfo), Is.EqualTo(expected));
}
