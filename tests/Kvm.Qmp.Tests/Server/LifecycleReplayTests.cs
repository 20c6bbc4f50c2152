using System.Text.Json.Nodes;
using Kvm.Qmp.Commands;
using Kvm.Qmp.Tests.Support;

namespace Kvm.Qmp.Tests.Server;

/// <summary>
/// Transcript 06 (libvirt-style ids, a -S guest): the run-control part replayed against a machine that
/// starts in prelaunch. Commands of the device layer are not sent (the VMM adds them); guest-originated
/// events (firmware RESET, DEVICE_DELETED) do not exist without a guest and are skipped.
/// </summary>
[CancelAfter(30_000)]
public sealed class LifecycleReplayTests
{
    [Test]
    public async Task Replay_LibvirtLifecycle_RunControlMatchesQemu()
    {
        IReadOnlyList<TranscriptRecord> records = TranscriptRecord.Load(Corpus.Transcript("06-lifecycle-pc-tcg.jsonl"));
        await using ServerFixture fixture = ServerFixture.Start(machineFactory: events =>
            new TestMachine(events, "qmp-peer-vm", QmpRunState.Prelaunch, Guid.Parse("6f0c9e9a-4b0e-4a43-9d3e-2a7b1f4c5d60"))
            {
                // What the recorded VM reported: two vCPUs (one socket each) and its monitor as the only chardev.
                Cpus =
                [
                    new QmpCpuInfoFast(32232, new QmpCpuInstanceProperties(0, 0, 0), "/machine/unattached/device[0]", 0, "x86_64"),
                    new QmpCpuInfoFast(32233, new QmpCpuInstanceProperties(0, 0, 1), "/machine/unattached/device[2]", 1, "x86_64"),
                ],
                Chardevs = [new QmpChardevInfo(true, "unix:/tmp/qmp-peer.sock,server=on", "charmonitor")],
                Blocks = [Commands.BlockCommandTests.Transcript06Disk, Commands.BlockCommandTests.Transcript06Cdrom],
                // Its balloon (128 MiB of RAM, no guest driver) and the devices libvirt gave ids.
                Balloon = new TestBalloon(128L << 20),
                Peripherals =
                [
                    new("balloon0", "child<virtio-balloon-pci>"), new("virtio-disk0", "child<virtio-blk-pci>"),
                    new("ide0-1-0", "child<ide-cd>"), new("usb", "child<qemu-xhci>"),
                ],
            });
        using RawQmpConnection connection = await fixture.ConnectAsync();
        var skippedIds = new HashSet<string>();
        QmpCommandRegistry core = QmpCommandRegistry.CreateDefault();
        int compared = 0;
        bool devicesAdded = false;
        foreach (TranscriptRecord record in records)
        {
            if (record.Direction == "c2s")
            {
                JsonObject request = JsonNode.Parse(record.Raw!)!.AsObject();
                string execute = request["execute"]!.GetValue<string>();
                devicesAdded |= execute == "device_add";
                // A qom-list after a device_add we did not send would miss that device.
                if (core.TryGet(execute, out _) && !(execute == "qom-list" && devicesAdded))
                {
                    await connection.SendAsync(record.Raw!);
                }
                else
                {
                    skippedIds.Add(request["id"]!.GetValue<string>());
                }

                continue;
            }

            if (record.Direction == "note" && record.Text == "server closed the connection (EOF)")
            {
                Assert.That(await connection.IsClosedAsync(TimeSpan.FromSeconds(5)), Is.True);
                continue;
            }

            if (record.Direction != "s2c")
            {
                continue;
            }

            JsonObject expected = JsonNode.Parse(record.Raw!)!.AsObject();
            bool guestEvent = expected["event"] is not null
                && (expected["data"]?["guest"]?.GetValue<bool>() == true || expected["event"]!.GetValue<string>() == "DEVICE_DELETED");
            if (guestEvent || (expected["id"] is JsonValue id && skippedIds.Contains(id.GetValue<string>())))
            {
                continue;
            }

            string? ours = await connection.ReadAsync();
            Assert.That(ours, Is.Not.Null, record.Raw);
            Assert.That(JsonNode.Parse(ours!)!.AsObject().Select(p => p.Key), Is.EqualTo(expected.Select(p => p.Key)), $"{record.Raw} vs {ours}");
            ShapeComparer.AssertSameShape(expected, JsonNode.Parse(ours!));
            compared++;
        }

        Assert.That(compared, Is.EqualTo(32), "every reply to a command we implement, query-cpus-fast, query-chardev, query-block, query-balloon, balloon and qom-list included");
        Assert.That(((TestBalloon)fixture.Machine.Balloon!).Targets, Is.EqualTo(new[] { 64L << 20 }), "libvirt's balloon of 64 MiB reached the machine");
        Assert.That(fixture.Machine.Calls, Is.EqualTo(new[] { "cont", "stop", "cont", "system_reset", "system_powerdown", "stop", "quit" }));
    }
}
