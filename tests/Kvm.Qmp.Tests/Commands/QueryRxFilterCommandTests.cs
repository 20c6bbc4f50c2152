using Kvm.Qmp.Commands;
using Kvm.Qmp.Tests.Support;

namespace Kvm.Qmp.Tests.Commands;

/// <summary>
/// query-rx-filter over a real server, against replies recorded from QEMU 7.2 (Debian 1:7.2+dfsg-7+deb12u18, a
/// virtio-net-pci id=net0 on netdev hostnet0, mac 52:54:00:12:34:56, before any driver ran): the reply byte for byte,
/// and QEMU's two errors, for a netdev's name and for any other name that is not a NIC.
/// </summary>
public sealed class QueryRxFilterCommandTests
{
    /// <summary>QEMU's device before a driver: promiscuous, no tables, VIRTIO_NET_F_CTRL_VLAN not taken so every VLAN passes.</summary>
    private static readonly QmpRxFilterInfo s_resetNet0 = new(
        "net0", Promiscuous: true, Multicast: QmpRxState.Normal, Unicast: QmpRxState.Normal, Vlan: QmpRxState.All,
        BroadcastAllowed: false, MulticastOverflow: false, UnicastOverflow: false, "52:54:00:12:34:56",
        [.. Enumerable.Range(0, 4096).Reverse()], [], []);

    [Test]
    [CancelAfter(10_000)]
    public async Task QueryRxFilter_ByName_IsQemusReplyByteForByte()
    {
        await using ServerFixture fixture = ServerFixture.Start(machineFactory: events => new TestMachine(events) { RxFilters = [s_resetNet0] });
        using RawQmpConnection connection = await fixture.ConnectNegotiatedAsync();

        await connection.SendAsync("""{"execute":"query-rx-filter","arguments":{"name":"net0"},"id":"libvirt-31"}""" + "\r\n");

        string vlans = string.Join(", ", Enumerable.Range(0, 4096).Reverse());
        Assert.That(await connection.ReadAsync(), Is.EqualTo(
            "{\"return\": [{\"promiscuous\": true, \"name\": \"net0\", \"main-mac\": \"52:54:00:12:34:56\", \"unicast\": \"normal\", " +
            $"\"vlan\": \"all\", \"vlan-table\": [{vlans}], \"unicast-table\": [], \"multicast\": \"normal\", \"multicast-overflow\": false, " +
            "\"unicast-overflow\": false, \"multicast-table\": [], \"broadcast-allowed\": false}], \"id\": \"libvirt-31\"}"));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task QueryRxFilter_WithoutName_ListsEveryNicWithItsTables()
    {
        var net1 = s_resetNet0 with
        {
            Name = "net1", Promiscuous = false, Multicast = QmpRxState.All, Vlan = QmpRxState.Normal, VlanTable = [100, 5],
            UnicastTable = ["52:54:00:00:00:02"], MulticastTable = ["33:33:00:00:00:01", "01:00:5e:00:00:01"],
        };
        await using ServerFixture fixture = ServerFixture.Start(machineFactory: events => new TestMachine(events) { RxFilters = [s_resetNet0, net1] });
        using RawQmpConnection connection = await fixture.ConnectNegotiatedAsync();

        await connection.SendAsync("""{"execute":"query-rx-filter","id":2}""" + "\n");

        string reply = await connection.ReadAsync() ?? "";
        Assert.That(reply, Does.StartWith("{\"return\": [{\"promiscuous\": true, \"name\": \"net0\""));
        Assert.That(reply, Does.Contain(
            "{\"promiscuous\": false, \"name\": \"net1\", \"main-mac\": \"52:54:00:12:34:56\", \"unicast\": \"normal\", \"vlan\": \"normal\", " +
            "\"vlan-table\": [100, 5], \"unicast-table\": [\"52:54:00:00:00:02\"], \"multicast\": \"all\", \"multicast-overflow\": false, " +
            "\"unicast-overflow\": false, \"multicast-table\": [\"33:33:00:00:00:01\", \"01:00:5e:00:00:01\"], \"broadcast-allowed\": false}], \"id\": 2}"));
    }

    [TestCase("hostnet0", "net client(hostnet0) isn't a NIC")]
    [TestCase("net9", "invalid net client name: net9")]
    [CancelAfter(10_000)]
    public async Task QueryRxFilter_NameNotANic_IsQemusGenericError(string name, string desc)
    {
        await using ServerFixture fixture = ServerFixture.Start(machineFactory: events => new TestMachine(events) { RxFilters = [s_resetNet0] });
        using RawQmpConnection connection = await fixture.ConnectNegotiatedAsync();

        await connection.SendAsync("{\"execute\":\"query-rx-filter\",\"arguments\":{\"name\":\"" + name + "\"},\"id\":3}\n");

        Assert.That(await connection.ReadAsync(), Is.EqualTo("{\"id\": 3, \"error\": {\"class\": \"GenericError\", \"desc\": \"" + desc + "\"}}"));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task QueryRxFilter_MachineWithoutNics_IsEmptyOrInvalidName()
    {
        await using ServerFixture fixture = ServerFixture.Start(machineFactory: events => new TestMachine(events));
        using RawQmpConnection connection = await fixture.ConnectNegotiatedAsync();

        await connection.SendAsync("{\"execute\":\"query-rx-filter\",\"id\":4}\n");
        Assert.That(await connection.ReadAsync(), Is.EqualTo("{\"return\": [], \"id\": 4}"));
        await connection.SendAsync("{\"execute\":\"query-rx-filter\",\"arguments\":{\"name\":\"net0\"},\"id\":5}\n");
        Assert.That(await connection.ReadAsync(), Is.EqualTo("{\"id\": 5, \"error\": {\"class\": \"GenericError\", \"desc\": \"invalid net client name: net0\"}}"));
    }

    [Test]
    public void CreateDefault_Registry_HasQueryRxFilter() =>
        Assert.That(QmpCommandRegistry.CreateDefault().TryGet("query-rx-filter", out _), Is.True);
}
