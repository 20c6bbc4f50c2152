using Kvm.Vmm.Boot;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

public sealed class BzImageTests
{
    [Test]
    public void Parse_NotAKernel_SaysSo()
    {
        var e = Assert.Throws<BootException>(() => BzImage.Parse(new byte[4096], "x.img"));
        Assert.That(e!.Message, Is.EqualTo("the kernel x.img is not a Linux bzImage (no boot protocol header at offset 0x202)"));
    }

    [Test]
    public void Parse_OldProtocolWithout64BitEntry_IsRefusedWithTheVersion()
    {
        byte[] image = FakeBzImage.Bytes(version: 0x020a, xloadflags: 0, length: 4096);
        var e = Assert.Throws<BootException>(() => BzImage.Parse(image, "old"));
        Assert.That(e!.Message, Does.StartWith("the kernel old has no 64-bit entry point (boot protocol 2.10"));
    }

    [Test]
    public void Parse_TruncatedImage_IsRefused()
    {
        byte[] image = FakeBzImage.Bytes(setupSectors: 30, length: 4096);
        var e = Assert.Throws<BootException>(() => BzImage.Parse(image, "cut"));
        Assert.That(e!.Message, Does.Contain("is truncated"));
    }

    [Test]
    public void Parse_ValidHeader_FindsTheProtectedModeKernel()
    {
        byte[] image = FakeBzImage.Bytes();
        var kernel = BzImage.Parse(image, "ok");
        Assert.Multiple(() =>
        {
            Assert.That(kernel.KernelOffset, Is.EqualTo(5 * 512));
            Assert.That(kernel.Version, Is.EqualTo(0x020f));
            Assert.That(kernel.SetupHeaderLength, Is.EqualTo(0x202 + 0x6a - 0x1f1));
        });
    }
}
