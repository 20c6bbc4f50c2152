using System.Buffers.Binary;
using Kvm.Vmm.Devices.Virtio.Net;
using NUnit.Framework;
using C = Kvm.Vmm.Devices.Virtio.Net.VirtioNetCtrl;
using H = Kvm.Vmm.Devices.Virtio.Net.VirtioNetHeader;

namespace Kvm.Vmm.Tests.Virtio;

/// <summary>
/// virtio-net's control virtqueue (virtio 1.2, 5.1.6.5) driven as Linux's virtio_net drives it, on real guest memory
/// behind the virtio-pci transport: each request is a device-readable class, command and data, then a device-writable
/// ack. Well-formed commands are acknowledged and take effect; unknown, unnegotiated or malformed ones are answered
/// VIRTIO_NET_ERR, and a hostile chain never breaks the device or throws.
/// </summary>
public sealed partial class VirtioNetControlTests
{
    private const ulong DriverFeatures = H.FeatureMac | H.FeatureStatus | VirtioNet.ControlFeatures | H.FeatureMq;
    private const ulong Request = VirtioNetGuest.Buffers;
    private const ulong Ack = VirtioNetGuest.Buffers + 0x8000;

    private static readonly byte[] s_mac = [0x52, 0x54, 0x00, 0xab, 0xcd, 0xef];

    [Test]
    public void Features_OnePair_OffersControlQueueWithoutMultiqueue()
    {
        using var guest = new VirtioNetGuest(new VirtioNetConfig { Mac = s_mac }, DriverFeatures);

        Assert.That(guest.Transport.DeviceFeatures & VirtioNet.ControlFeatures, Is.EqualTo(VirtioNet.ControlFeatures));
        Assert.That(guest.Transport.DeviceFeatures & H.FeatureMq, Is.Zero);
        Assert.That(guest.Device.QueueCount, Is.EqualTo(3));
        Assert.That(guest.CtrlIndex, Is.EqualTo(2));
    }

    [Test]
    public void Features_ThreePairs_OfferMultiqueueAndMaxPairs()
    {
        using var guest = new VirtioNetGuest(new VirtioNetConfig { Mac = s_mac }, DriverFeatures, pairs: 3);

        Assert.That(guest.Transport.DeviceFeatures & H.FeatureMq, Is.EqualTo(H.FeatureMq));
        Assert.That(guest.Device.QueueCount, Is.EqualTo(7));
        Assert.That(BitConverter.ToUInt16(guest.DeviceConfig(H.ConfigSize), H.ConfigMaxPairsOffset), Is.EqualTo(3));
        Assert.That(guest.CtrlIndex, Is.EqualTo(6));
        Assert.That(guest.Device.ActivePairs, Is.EqualTo(1));
    }

    // The device starts promiscuous, as QEMU's does (its reset state), until the driver says otherwise.
    [TestCase(C.RxPromisc, true, false, false, false)]
    [TestCase(C.RxAllMulti, true, true, true, false)]
    public void RxMode_OnThenOff_IsAcknowledgedAndRecorded(byte command, bool promiscuousOn, bool allMulticastOn, bool promiscuousOff, bool allMulticastOff)
    {
        using var guest = Guest();

        Assert.That(Send(guest, [C.ClassRx, command, 1]), Is.EqualTo(C.Ok));
        Assert.That((guest.Device.Control!.Promiscuous, guest.Device.Control.AllMulticast), Is.EqualTo((promiscuousOn, allMulticastOn)));
        Assert.That(Send(guest, [C.ClassRx, command, 0]), Is.EqualTo(C.Ok));
        Assert.That((guest.Device.Control.Promiscuous, guest.Device.Control.AllMulticast), Is.EqualTo((promiscuousOff, allMulticastOff)));
    }

    [Test]
    public void MacAddrSet_NewMac_ShowsInConfigUntilReset()
    {
        using var guest = Guest();
        byte[] mac = [0x52, 0x54, 0x00, 0x01, 0x02, 0x03];

        Assert.That(Send(guest, [C.ClassMac, C.MacAddrSet, .. mac]), Is.EqualTo(C.Ok));
        Assert.That(guest.DeviceConfig(6), Is.EqualTo(mac));
        Assert.That(guest.Device.MacText, Is.EqualTo("52:54:00:01:02:03"));

        guest.Restart();
        Assert.That(guest.DeviceConfig(6), Is.EqualTo(s_mac));
    }

    [Test]
    public void MacTableSet_OneUnicastTwoMulticast_IsAcknowledged()
    {
        using var guest = Guest();
        byte[] request = [C.ClassMac, C.MacTableSet, .. Table(1), .. Table(2)];

        Assert.That(Send(guest, request), Is.EqualTo(C.Ok));
        Assert.That(guest.Device.Control!.MacTable, Is.EqualTo((1, 2)));
    }

    [Test]
    public void VlanAddAndDel_AreAcknowledgedAndCounted()
    {
        using var guest = Guest();

        Assert.That(Send(guest, [C.ClassVlan, C.VlanAdd, 100, 0]), Is.EqualTo(C.Ok));
        Assert.That(Send(guest, [C.ClassVlan, C.VlanAdd, 0xff, 0x0f]), Is.EqualTo(C.Ok)); // 4095
        Assert.That(guest.Device.Control!.VlanCount, Is.EqualTo(2));
        Assert.That(Send(guest, [C.ClassVlan, C.VlanDel, 100, 0]), Is.EqualTo(C.Ok));
        Assert.That(guest.Device.Control.VlanCount, Is.EqualTo(1));
    }

    private static IEnumerable<TestCaseData> Malformed()
    {
        yield return new TestCaseData(new byte[] { C.ClassRx }).SetName("Header_OneByte_Err");
        yield return new TestCaseData(new byte[] { 9, 0, 0 }).SetName("Class_Unknown_Err");
        yield return new TestCaseData(new byte[] { 3, 0 }).SetName("Class_AnnounceNotOffered_Err");
        yield return new TestCaseData(new byte[] { 5, 0, 0, 0, 0, 0, 0, 0, 0, 0 }).SetName("Class_GuestOffloadsNotOffered_Err");
        yield return new TestCaseData(new byte[] { C.ClassRx, C.RxPromisc }).SetName("RxPromisc_NoData_Err");
        yield return new TestCaseData(new byte[] { C.ClassRx, C.RxPromisc, 1, 1 }).SetName("RxPromisc_TwoBytes_Err");
        yield return new TestCaseData(new byte[] { C.ClassRx, 2, 1 }).SetName("RxAllUni_WithoutRxExtra_Err");
        yield return new TestCaseData(new byte[] { C.ClassMac, C.MacAddrSet, 0x52, 0x54, 0, 1, 2 }).SetName("MacAddrSet_FiveBytes_Err");
        yield return new TestCaseData(new byte[] { C.ClassMac, C.MacAddrSet, 0x01, 0, 0x5e, 0, 0, 1 }).SetName("MacAddrSet_Multicast_Err");
        yield return new TestCaseData(new byte[] { C.ClassMac, C.MacTableSet, 0, 0, 0, 0 }).SetName("MacTableSet_NoMulticastTable_Err");
        yield return new TestCaseData((byte[])[C.ClassMac, C.MacTableSet, .. Table(1), .. Table(1), 0]).SetName("MacTableSet_TrailingByte_Err");
        yield return new TestCaseData(new byte[] { C.ClassMac, C.MacTableSet, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0 }).SetName("MacTableSet_HugeCount_Err");
        yield return new TestCaseData((byte[])[C.ClassMac, C.MacTableSet, .. Table(2)[..10], 0, 0, 0, 0]).SetName("MacTableSet_TruncatedEntry_Err");
        yield return new TestCaseData(new byte[] { C.ClassMac, 2, 0 }).SetName("Mac_UnknownCommand_Err");
        yield return new TestCaseData(new byte[] { C.ClassVlan, C.VlanAdd, 0, 0x10 }).SetName("VlanAdd_Id4096_Err");
        yield return new TestCaseData(new byte[] { C.ClassVlan, C.VlanAdd, 1 }).SetName("VlanAdd_OneByte_Err");
        yield return new TestCaseData(new byte[] { C.ClassVlan, 2, 1, 0 }).SetName("Vlan_UnknownCommand_Err");
        yield return new TestCaseData(new byte[] { C.ClassMq, C.MqVqPairsSet, 1, 0 }).SetName("MqVqPairsSet_MqNotOffered_Err");
    }

    [TestCaseSource(nameof(Malformed))]
    public void Malformed_IsAnsweredErr_AndTheDeviceStaysUsable(byte[] request)
    {
        using var guest = Guest();

        Assert.That(Send(guest, request), Is.EqualTo(C.Err));
        Assert.That(Send(guest, [C.ClassRx, C.RxPromisc, 1]), Is.EqualTo(C.Ok));
        Assert.That(guest.NeedsReset, Is.False);
        Assert.That(guest.Device.ThreadFailures, Is.Zero);
    }

    [Test]
    public void Request_NoWritableAck_IsUsedEmptyAndTheNextIsServed()
    {
        using var guest = Guest();
        guest.Memory.Write(Request, new byte[] { C.ClassRx, C.RxPromisc, 1 });

        guest.Ctrl!.AddChain(0, (Request, 3, false));
        guest.Kick(guest.CtrlIndex);
        VirtioNetGuest.WaitUsed(guest.Ctrl, 1);

        Assert.That(guest.Ctrl.UsedElement(0), Is.EqualTo((0u, 0u)));
        Assert.That(Send(guest, [C.ClassRx, C.RxAllMulti, 1]), Is.EqualTo(C.Ok));
        Assert.That(guest.NeedsReset, Is.False);
    }

    [Test]
    public void Request_LargerThanTheLimit_IsAnsweredErr()
    {
        using var guest = Guest();
        guest.Memory.Write(Request, new byte[] { C.ClassMac, C.MacTableSet });

        Assert.That(Send(guest, (Request, (uint)C.MaxRequest + 1)), Is.EqualTo(C.Err));
    }

    [Test]
    public void Request_SplitOverDescriptors_IsReassembled()
    {
        using var guest = Guest();
        guest.Memory.Write(Request, new byte[] { C.ClassVlan, C.VlanAdd });
        guest.Memory.Write(Request + 0x100, new byte[] { 7, 0 });

        Assert.That(Send(guest, (Request, 2u), (Request + 0x100, 2u)), Is.EqualTo(C.Ok));
        Assert.That(guest.Device.Control!.VlanCount, Is.EqualTo(1));
    }

    [Test]
    public void MqVqPairsSet_WithinMax_ActivatesPairsAndTheirQueuesMoveFrames()
    {
        using var guest = new VirtioNetGuest(new VirtioNetConfig { Mac = s_mac }, DriverFeatures, pairs: 2);
        Assert.That(guest.Device.ActivePairs, Is.EqualTo(1));

        Assert.That(Send(guest, [C.ClassMq, C.MqVqPairsSet, 2, 0]), Is.EqualTo(C.Ok));
        Assert.That(guest.Device.ActivePairs, Is.EqualTo(2));

        var tx1 = guest.Ring(3);
        guest.Memory.Write(VirtioNetGuest.Buffers + 0x1000, new byte[H.Size + 60]);
        tx1.AddChain(0, (VirtioNetGuest.Buffers + 0x1000, (uint)(H.Size + 60), false));
        guest.Kick(3);
        VirtioNetGuest.WaitUsed(tx1, 1);
        Assert.That(guest.Backends[1].Written, Has.Count.EqualTo(1));
        Assert.That(guest.Backends[0].Written, Is.Empty);

        Assert.That(Send(guest, [C.ClassMq, C.MqVqPairsSet, 1, 0]), Is.EqualTo(C.Ok));
        Assert.That(guest.Device.ActivePairs, Is.EqualTo(1));
    }

    [TestCase((ushort)0)]
    [TestCase((ushort)3)]
    [TestCase((ushort)0xffff)]
    public void MqVqPairsSet_OutOfRange_IsErrAndKeepsThePairs(ushort pairs)
    {
        using var guest = new VirtioNetGuest(new VirtioNetConfig { Mac = s_mac }, DriverFeatures, pairs: 2);
        var request = new byte[] { C.ClassMq, C.MqVqPairsSet, 0, 0 };
        BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(2), pairs);

        Assert.That(Send(guest, request), Is.EqualTo(C.Err));
        Assert.That(guest.Device.ActivePairs, Is.EqualTo(1));
    }

    [Test]
    public void MqVqPairsSet_DriverWithoutMq_IsErr()
    {
        using var guest = new VirtioNetGuest(new VirtioNetConfig { Mac = s_mac }, DriverFeatures & ~H.FeatureMq, pairs: 2);

        Assert.That(guest.CtrlIndex, Is.EqualTo(2));
        Assert.That(Send(guest, [C.ClassMq, C.MqVqPairsSet, 2, 0]), Is.EqualTo(C.Err));
        Assert.That(Send(guest, [C.ClassRx, C.RxPromisc, 1]), Is.EqualTo(C.Ok));
    }

    [TestCase(20261207)]
    [TestCase(5)]
    public void RandomRequests_AreAnsweredOkOrErr_NeverBreakTheDevice(int seed)
    {
        using var guest = new VirtioNetGuest(new VirtioNetConfig { Mac = s_mac }, DriverFeatures, pairs: 2);
        var random = new Random(seed);
        for (int round = 0; round < 500; round++)
        {
            var request = new byte[random.Next(0, 40)];
            random.NextBytes(request);
            if (request.Length >= 1 && random.Next(2) == 0)
            {
                request[0] = (byte)random.Next(0, 6); // a known class half the time
            }

            if (request.Length >= 2 && random.Next(2) == 0)
            {
                request[1] = (byte)random.Next(0, 3);
            }

            byte ack = request.Length == 0 ? Send(guest, Array.Empty<(ulong, uint)>()) : Send(guest, request);
            Assert.That(ack, Is.EqualTo(C.Ok).Or.EqualTo(C.Err), $"round {round}");
        }

        Assert.That(guest.NeedsReset, Is.False);
        Assert.That(guest.Device.ThreadFailures, Is.Zero);
        Assert.That(guest.Device.ActivePairs, Is.InRange(1, 2));
    }

    private static VirtioNetGuest Guest() => new(new VirtioNetConfig { Mac = s_mac }, DriverFeatures & ~H.FeatureMq);

    /// <summary>A MAC filter table of <paramref name="entries"/> addresses: le32 count, then 6 bytes each.</summary>
    private static byte[] Table(int entries)
    {
        var table = new byte[4 + (6 * entries)];
        BinaryPrimitives.WriteUInt32LittleEndian(table, (uint)entries);
        for (int i = 0; i < entries; i++)
        {
            table[4 + (6 * i)] = 0x01; // multicast or not does not matter to the table's shape
            table[4 + (6 * i) + 5] = (byte)i;
        }

        return table;
    }

    /// <summary>Sends one request (in one readable buffer) and returns the ack the device wrote.</summary>
    private static byte Send(VirtioNetGuest guest, byte[] request)
    {
        guest.Memory.Write(Request, request);
        return Send(guest, (Request, (uint)request.Length));
    }

    /// <summary>Sends readable <paramref name="buffers"/> and a one-byte writable ack (preset to 0xff); returns the ack.</summary>
    private static byte Send(VirtioNetGuest guest, params (ulong Address, uint Length)[] buffers)
    {
        var ring = guest.Ctrl!;
        guest.Memory.Write(Ack, new byte[] { 0xff });
        ushort before = ring.UsedIdx;
        ring.AddChain(0, [.. buffers.Select(b => (b.Address, b.Length, false)), (Ack, 1u, true)]);
        guest.Kick(guest.CtrlIndex);
        VirtioNetGuest.WaitUsed(ring, (ushort)(before + 1));
        Assert.That(ring.UsedElement(before).Length, Is.EqualTo(1u));
        return guest.Memory.GetSpan(Ack, 1)[0];
    }
}
