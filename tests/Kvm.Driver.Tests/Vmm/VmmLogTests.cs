using Kvm.Driver.Vmm;
using NUnit.Framework;

namespace Kvm.Driver.Tests.Vmm;

public sealed class VmmLogTests
{
    [Test]
    public void ErrorOf_ErrorLines_WithoutPrefix() =>
        Assert.That(VmmLog.ErrorOf("kvm-vmm: INFO starting\nkvm-vmm: ERROR KVM is not available: no\n"), Is.EqualTo("KVM is not available: no"));

    [Test]
    public void ErrorOf_NoErrorLine_LastLines() =>
        Assert.That(VmmLog.ErrorOf("a\nb\nc\nd\n"), Is.EqualTo("b; c; d"));

    [TestCase("serial0")]
    [TestCase("charserial0")]
    public void PtyOf_QemusLine_ThePath(string label) =>
        Assert.That(VmmLog.PtyOf($"x\nchar device redirected to /dev/pts/5 (label {label})\n"), Is.EqualTo("/dev/pts/5"));
}
