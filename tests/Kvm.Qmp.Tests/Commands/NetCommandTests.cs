using Kvm.Qmp.Commands;
using Kvm.Qmp.Tests.Support;

namespace Kvm.Qmp.Tests.Commands;

/// <summary>set_link over a real server: QEMU 7.2's empty return, and its DeviceNotFound for a NIC it does not have.</summary>
public sealed class NetCommandTests
{
    [Test]
    [CancelAfter(10_000)]
    public async Task SetLink_KnownNic_SetsItsLinkAndRepliesEmpty()
    {
        await using ServerFixture fixture = ServerFixture.Start(machineFactory: events => new TestMachine(events) { Links = { ["net0"] = true } });
        using RawQmpConnection connection = await fixture.ConnectNegotiatedAsync();

        await connection.SendAsync("""{"execute":"set_link","arguments":{"name":"net0","up":false},"id":"libvirt-30"}""" + "\r\n");

        Assert.That(await connection.ReadAsync(), Is.EqualTo("""{"return": {}, "id": "libvirt-30"}"""));
        Assert.That(fixture.Machine.Links["net0"], Is.False);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task SetLink_UnknownNic_IsDeviceNotFoundAsQemu()
    {
        await using ServerFixture fixture = ServerFixture.Start(machineFactory: events => new TestMachine(events));
        using RawQmpConnection connection = await fixture.ConnectNegotiatedAsync();

        await connection.SendAsync("""{"execute":"set_link","arguments":{"name":"net9","up":true},"id":1}""" + "\n");

        Assert.That(await connection.ReadAsync(), Is.EqualTo("""{"id": 1, "error": {"class": "DeviceNotFound", "desc": "Device 'net9' not found"}}"""));
    }

    [Test]
    public void CreateDefault_Registry_HasSetLink() =>
        Assert.That(QmpCommandRegistry.CreateDefault().TryGet("set_link", out _), Is.True);
}
