using System.Buffers.Binary;
using Kvm.Vmm.Boot;
using Kvm.Vmm.Memory;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>Placing the kernel and the initrd in guest RAM (plain memory, no KVM): a guest too small for them is refused with the sizes.</summary>
public sealed class LinuxLoaderTests
{
    private const ulong MiB = 1024 * 1024;

    [Test]
    public void Load_KernelLargerThanTheMemory_SaysHowMuchItNeeds()
    {
        using var memory = GuestMemory.Allocate([(0, 4 * MiB)]);
        var kernel = Kernel(initSize: 8 * MiB);

        Assert.That(() => LinuxLoader.Load(memory, kernel, [], "console=ttyS0", []),
            Throws.TypeOf<BootException>().With.Message.EqualTo(
                "memory too small for the kernel: it needs 9 MiB of RAM below 3072 MiB, the guest has 4 MiB there"));
    }

    [Test]
    public void Load_InitrdThatDoesNotFitAboveTheKernel_SaysHowMuchBothNeed()
    {
        using var memory = GuestMemory.Allocate([(0, 16 * MiB)]);
        var kernel = Kernel(initSize: 8 * MiB);

        Assert.That(() => LinuxLoader.Load(memory, kernel, new byte[10 * MiB], "console=ttyS0", []),
            Throws.TypeOf<BootException>().With.Message.EqualTo(
                "memory too small for the kernel and initrd: they need 20 MiB below 16 MiB, the guest has 16 MiB there"));
    }

    [Test]
    public void Load_InitrdThatFits_GoesBelowTheTopOfMemoryAndAboveTheKernel()
    {
        using var memory = GuestMemory.Allocate([(0, 32 * MiB)]);
        var kernel = Kernel(initSize: 8 * MiB);

        ulong entry = LinuxLoader.Load(memory, kernel, new byte[10 * MiB], "console=ttyS0", []);

        // boot_params: ramdisk_image at 0x218, ramdisk_size at 0x21c.
        var bootParams = memory.GetSpan(GuestLayout.BootParamsAddress, 4096);
        ulong initrd = BinaryPrimitives.ReadUInt32LittleEndian(bootParams[0x218..]);
        ulong initrdSize = BinaryPrimitives.ReadUInt32LittleEndian(bootParams[0x21c..]);
        Assert.Multiple(() =>
        {
            Assert.That(entry, Is.EqualTo(GuestLayout.KernelAddress + 0x200));
            Assert.That(initrdSize, Is.EqualTo(10 * MiB));
            Assert.That(initrd + 10 * MiB, Is.LessThanOrEqualTo(32 * MiB));
            Assert.That(initrd, Is.GreaterThanOrEqualTo(GuestLayout.KernelAddress + 8 * MiB));
        });
    }

    /// <summary>A 64-bit bzImage header whose kernel needs <paramref name="initSize"/> bytes once decompressed.</summary>
    private static BzImage Kernel(ulong initSize)
    {
        byte[] image = FakeBzImage.Bytes();
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(0x22c), 0x7fff_ffff); // initrd_addr_max
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(0x238), 2048); // cmdline_size
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(0x260), (uint)initSize);
        return BzImage.Parse(image, "fake");
    }
}
