using Kvm.Qmp.Commands;
using Kvm.Qmp.Tests.Support;

namespace Kvm.Qmp.Tests.Commands;

/// <summary>
/// query-balloon, balloon, qom-list, qom-get and qom-set over a real server, each reply compared byte for byte with what
/// QEMU 7.2 (Debian 1:7.2+dfsg-7+deb12u18) answered with <c>-device virtio-balloon-pci,id=balloon0</c> and 128 MiB,
/// and with <c>-machine none</c> (no balloon).
/// </summary>
[CancelAfter(10_000)]
public sealed class BalloonCommandTests
{
    private const string Fresh = """{"return": {"stats": {"stat-htlb-pgalloc": 18446744073709551615, "stat-swap-out": 18446744073709551615, "stat-available-memory": 18446744073709551615, "stat-htlb-pgfail": 18446744073709551615, "stat-free-memory": 18446744073709551615, "stat-minor-faults": 18446744073709551615, "stat-major-faults": 18446744073709551615, "stat-total-memory": 18446744073709551615, "stat-swap-in": 18446744073709551615, "stat-disk-caches": 18446744073709551615}, "last-update": 0}}""";

    [TestCase("""{"execute": "query-balloon"}""")]
    [TestCase("""{"execute": "balloon", "arguments": {"value": 0}}""")]
    [TestCase("""{"execute": "balloon", "arguments": {"value": 100}}""")]
    public async Task Balloon_NoBalloon_IsDeviceNotActiveAsQemu(string request)
    {
        Assert.That(await AskAsync(null, request), Is.EqualTo("""{"error": {"class": "DeviceNotActive", "desc": "No balloon device has been activated"}}"""));
    }

    [Test]
    public async Task QomList_Peripheral_NoBalloon_IsJustTheType() =>
        Assert.That(await AskAsync(null, """{"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}"""),
            Is.EqualTo("""{"return": [{"name": "type", "type": "string"}]}"""));

    [TestCase("""{"execute": "query-balloon"}""", """{"return": {"actual": 134217728}}""")]
    [TestCase("""{"execute": "balloon", "arguments": {"value": 0}}""", """{"error": {"class": "GenericError", "desc": "Parameter 'target' expects a size"}}""")]
    [TestCase("""{"execute": "balloon", "arguments": {"value": -5}}""", """{"error": {"class": "GenericError", "desc": "Parameter 'target' expects a size"}}""")]
    [TestCase("""{"execute": "balloon", "arguments": {"value": 999999999999}}""", """{"return": {}}""")]
    [TestCase("""{"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}""",
        """{"return": [{"name": "type", "type": "string"}, {"name": "balloon0", "type": "child<virtio-balloon-pci>"}]}""")]
    [TestCase("""{"execute": "qom-list", "arguments": {"path": "/machine/nope"}}""", """{"error": {"class": "DeviceNotFound", "desc": "Device '/machine/nope' not found"}}""")]
    [TestCase("""{"execute": "qom-get", "arguments": {"path": "/machine/peripheral/balloon0", "property": "guest-stats"}}""", Fresh)]
    [TestCase("""{"execute": "qom-get", "arguments": {"path": "/machine/peripheral/balloon0", "property": "guest-stats-polling-interval"}}""", """{"return": 0}""")]
    [TestCase("""{"execute": "qom-get", "arguments": {"path": "/machine/peripheral/balloon0", "property": "type"}}""", """{"return": "virtio-balloon-pci"}""")]
    [TestCase("""{"execute": "qom-get", "arguments": {"path": "/machine/peripheral/balloon0", "property": "nope"}}""",
        """{"error": {"class": "GenericError", "desc": "Property 'virtio-balloon-pci.nope' not found"}}""")]
    [TestCase("""{"execute": "qom-get", "arguments": {"path": "/machine/peripheral/nope", "property": "guest-stats"}}""",
        """{"error": {"class": "DeviceNotFound", "desc": "Device '/machine/peripheral/nope' not found"}}""")]
    [TestCase("""{"execute": "qom-set", "arguments": {"path": "/machine/peripheral/balloon0", "property": "guest-stats-polling-interval", "value": -1}}""",
        """{"error": {"class": "GenericError", "desc": "timer value must be greater than zero"}}""")]
    [TestCase("""{"execute": "qom-set", "arguments": {"path": "/machine/peripheral/balloon0", "property": "guest-stats-polling-interval", "value": 5000000000}}""",
        """{"error": {"class": "GenericError", "desc": "timer value is too big"}}""")]
    [TestCase("""{"execute": "qom-set", "arguments": {"path": "/machine/peripheral/balloon0", "property": "guest-stats-polling-interval", "value": "x"}}""",
        """{"error": {"class": "GenericError", "desc": "Invalid parameter type for 'guest-stats-polling-interval', expected: integer"}}""")]
    [TestCase("""{"execute": "qom-set", "arguments": {"path": "/machine/peripheral/balloon0", "property": "guest-stats", "value": 1}}""",
        """{"error": {"class": "GenericError", "desc": "Property 'virtio-balloon-device.guest-stats' is not writable"}}""")]
    public async Task Balloon_WithBalloon_AnswersAsQemu(string request, string expected)
    {
        Assert.That(await AskAsync(new TestBalloon(128L << 20), request), Is.EqualTo(expected));
    }

    [Test]
    public async Task QomSet_PollingInterval_IsKeptAndReadBack()
    {
        var balloon = new TestBalloon(128L << 20);
        await using ServerFixture fixture = Start(balloon);
        using RawQmpConnection connection = await fixture.ConnectNegotiatedAsync();
        await connection.SendAsync("""{"execute": "qom-set", "arguments": {"path": "/machine/peripheral/balloon0", "property": "guest-stats-polling-interval", "value": 5}}""" + "\n");
        Assert.That(await connection.ReadAsync(), Is.EqualTo("""{"return": {}}"""));
        await connection.SendAsync("""{"execute": "qom-get", "arguments": {"path": "/machine/peripheral/balloon0", "property": "guest-stats-polling-interval"}}""" + "\n");
        Assert.That(await connection.ReadAsync(), Is.EqualTo("""{"return": 5}"""));
        Assert.That(balloon.PollingInterval, Is.EqualTo(5u));
    }

    [Test]
    public async Task Balloon_Target_ReachesTheMachine()
    {
        var balloon = new TestBalloon(128L << 20);
        await using ServerFixture fixture = Start(balloon);
        using RawQmpConnection connection = await fixture.ConnectNegotiatedAsync();
        await connection.SendAsync("""{"execute": "balloon", "arguments": {"value": 67108864}, "id": "libvirt-30"}""" + "\n");
        Assert.That(await connection.ReadAsync(), Is.EqualTo("""{"return": {}, "id": "libvirt-30"}"""));
        Assert.That(balloon.Targets, Is.EqualTo(new[] { 64L << 20 }));
    }

    [Test]
    public async Task QomGet_GuestStats_ReportedFiguresAndLastUpdate()
    {
        var balloon = new TestBalloon(128L << 20) { GuestStats = new(new QmpGuestStatsValues { TotalMemory = 1000, SwapIn = 0 }, 1_800_000_000) };
        string? reply = await AskAsync(balloon, """{"execute": "qom-get", "arguments": {"path": "/machine/peripheral/balloon0", "property": "guest-stats"}}""");
        Assert.That(reply, Does.Contain("\"stat-total-memory\": 1000,").And.Contain("\"stat-swap-in\": 0,").And.EndWith("\"last-update\": 1800000000}}"));
    }

    private static ServerFixture Start(IQmpBalloon? balloon) => ServerFixture.Start(machineFactory: events => new TestMachine(events)
    {
        Balloon = balloon,
        Peripherals = balloon is null ? [] : [new(balloon.Id, "child<virtio-balloon-pci>")],
    });

    private static async Task<string?> AskAsync(IQmpBalloon? balloon, string request)
    {
        await using ServerFixture fixture = Start(balloon);
        using RawQmpConnection connection = await fixture.ConnectNegotiatedAsync();
        await connection.SendAsync(request + "\n");
        return await connection.ReadAsync();
    }
}
