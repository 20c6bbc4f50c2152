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
        byte[] image = Header(version: 0x020a, xloadflags: 0);
        var e = Assert.Throws<BootException>(() => BzImage.Parse(image, "old"));
        Assert.That(e!.Message, Does.StartWith("the kernel old has no 64-bit entry point (boot protocol 2.10"));
    }

    [Test]
    public void Parse_TruncatedImage_IsRefused()
    {
        byte[] image = Header(version: 0x020f, xloadflags: 1, setupSectors: 30);
        var e = Assert.Throws<BootException>(() => BzImage.Parse(image, "cut"));
        Assert.That(e!.Message, Does.Contain("is truncated"));
    }

    [Test]
    public void Parse_ValidHeader_FindsTheProtectedModeKernel()
    {
        byte[] image = Header(version: 0x020f, xloadflags: 1, setupSectors: 4, length: 8192);
        var kernel = BzImage.Parse(image, "ok");
        Assert.Multiple(() =>
        {
            Assert.That(kernel.KernelOffset, Is.EqualTo(5 * 512));
            Assert.That(kernel.Version, Is.EqualTo(0x020f));
            Assert.That(kernel.SetupHeaderLength, Is.EqualTo(0x202 + 0x6a - 0x1f1));
        });
    }

    private static byte[] Header(ushort version, ushort xloadflags, byte setupSectors = 4, int length = 4096)
    {
        var image = new byte[length];
        image[0x1f1] = setupSectors;
        image[0x1fe] = 0x55;
        image[0x1ff] = 0xaa;
        image[0x201] = 0x6a; // jump offset: the header ends at 0x26c
        "HdrS"u8.CopyTo(image.AsSpan(0x202));
        image[0x206] = (byte)version;
        image[0x207] = (byte)(version >> 8);
        image[0x211] = 1; // LOADED_HIGH
        image[0x236] = (byte)xloadflags;
        return image;
    }
}
