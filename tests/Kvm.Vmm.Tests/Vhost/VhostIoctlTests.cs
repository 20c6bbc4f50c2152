using System.Runtime.CompilerServices;
using Kvm.Vmm.Interop;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Vhost;

/// <summary>vhost's request numbers and structs against linux/vhost.h and linux/vhost_types.h on x86-64.</summary>
public sealed class VhostIoctlTests
{
    // The numbers as the kernel headers expand them: _IOC(dir, 0xAF, nr, size), dir 1 = write, 2 = read, 3 = both.
    [TestCase("GetFeatures", 0x8008AF00u)]
    [TestCase("SetFeatures", 0x4008AF00u)]
    [TestCase("SetOwner", 0x0000AF01u)]
    [TestCase("ResetOwner", 0x0000AF02u)]
    [TestCase("SetMemTable", 0x4008AF03u)]
    [TestCase("SetVringNum", 0x4008AF10u)]
    [TestCase("SetVringAddr", 0x4028AF11u)]
    [TestCase("SetVringBase", 0x4008AF12u)]
    [TestCase("GetVringBase", 0xC008AF12u)]
    [TestCase("SetVringKick", 0x4008AF20u)]
    [TestCase("SetVringCall", 0x4008AF21u)]
    [TestCase("SetVringErr", 0x4008AF22u)]
    [TestCase("NetSetBackend", 0x4008AF30u)]
    [TestCase("VsockSetGuestCid", 0x4008AF60u)]
    [TestCase("VsockSetRunning", 0x4004AF61u)]
    public void Request_MatchesTheKernelHeader(string name, uint expected)
    {
        var field = typeof(VhostIoctl).GetField(name)!;
        Assert.That((nuint)field.GetValue(null)!, Is.EqualTo((nuint)expected));
    }

    [Test]
    public void Structs_HaveTheKernelSizes()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Unsafe.SizeOf<VhostVringState>(), Is.EqualTo(VhostVringState.Size).And.EqualTo(8), "vhost_vring_state");
            Assert.That(Unsafe.SizeOf<VhostVringFile>(), Is.EqualTo(VhostVringFile.Size).And.EqualTo(8), "vhost_vring_file");
            Assert.That(Unsafe.SizeOf<VhostVringAddr>(), Is.EqualTo(VhostVringAddr.Size).And.EqualTo(40), "vhost_vring_addr");
            Assert.That(Unsafe.SizeOf<VhostMemoryHeader>(), Is.EqualTo(VhostMemoryHeader.Size).And.EqualTo(8), "vhost_memory");
            Assert.That(Unsafe.SizeOf<VhostMemoryRegion>(), Is.EqualTo(VhostMemoryRegion.Size).And.EqualTo(32), "vhost_memory_region");
        });
    }

    [Test]
    public unsafe void VringAddr_RingsSitAtTheKernelOffsets()
    {
        var address = default(VhostVringAddr);
        byte* start = (byte*)&address;
        long[] offsets =
        [
            (byte*)&address.DescUserAddr - start, (byte*)&address.UsedUserAddr - start,
            (byte*)&address.AvailUserAddr - start, (byte*)&address.LogGuestAddr - start,
        ];
        Assert.That(offsets, Is.EqualTo(new long[] { 8, 16, 24, 32 }));
    }
}
