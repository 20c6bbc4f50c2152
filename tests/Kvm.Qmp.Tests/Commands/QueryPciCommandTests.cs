using Kvm.Qmp.Commands;
using Kvm.Qmp.Server;
using Kvm.Qmp.Tests.Support;

namespace Kvm.Qmp.Tests.Commands;

/// <summary>query-pci in QEMU 7.2's shape: member order, optional members, bus and function lists.</summary>
public sealed class QueryPciCommandTests
{
    [Test]
    [CancelAfter(10_000)]
    public async Task QueryPci_HostBridgeAndVirtioDisk_RepliesInQemusShape()
    {
        var bus = new QmpPciInfo(0,
        [
            new QmpPciDeviceInfo { Slot = 0, ClassInfo = new QmpPciDeviceClass(0x0600, "Host bridge"), Id = new QmpPciDeviceId(0x0008, 0x1af4, 0x1b36, 0x1100) },
            new QmpPciDeviceInfo
            {
                IrqPin = 1,
                QdevId = "virtio-disk0",
                Irq = 11,
                Slot = 4,
                ClassInfo = new QmpPciDeviceClass(0x0180, "Storage controller"),
                Id = new QmpPciDeviceId(0x1042, 0x1af4, 0x1af4, 0x1100),
                Regions = [new QmpPciMemoryRegion(true, true, 4, 16384, 0x8000000000, "memory"), new QmpPciMemoryRegion(null, null, 0, 64, -1, "io")],
            },
        ]);
        await using ServerFixture fixture = ServerFixture.Start(machineFactory: events => new TestMachine(events) { Pci = [bus] });
        using RawQmpConnection connection = await fixture.ConnectNegotiatedAsync();

        await connection.SendAsync("{\"execute\": \"query-pci\", \"id\": 7}\n");

        Assert.That(await connection.ReadAsync(), Is.EqualTo(BlockCommandTests.Flat("""
            {"return": [{"bus": 0, "devices": [
            {"irq_pin": 0, "bus": 0, "qdev_id": "", "slot": 0, "class_info": {"class": 1536, "desc": "Host bridge"}, "id": {"device": 8, "subsystem-vendor": 6900, "vendor": 6966, "subsystem": 4352}, "function": 0, "regions": []}, 
            {"irq_pin": 1, "bus": 0, "qdev_id": "virtio-disk0", "irq": 11, "slot": 4, "class_info": {"class": 384, "desc": "Storage controller"}, "id": {"device": 4162, "subsystem-vendor": 6900, "vendor": 6900, "subsystem": 4352}, "function": 0, 
            "regions": [{"prefetch": true, "mem_type_64": true, "bar": 4, "size": 16384, "address": 549755813888, "type": "memory"}, {"bar": 0, "size": 64, "address": -1, "type": "io"}]}]}], "id": 7}
            """)));
    }

    [Test]
    public async Task QueryPci_NoneMachine_IsEmpty()
    {
        Assert.That(await BlockCommandTests.InvokeAsync(new QueryPciCommand(), new QmpNoneMachine(new QmpEventHub())), Is.EqualTo("[]"));
    }
}
