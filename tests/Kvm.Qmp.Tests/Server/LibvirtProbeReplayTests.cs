using System.Text.Json.Nodes;
using Kvm.Qmp.Tests.Support;

namespace Kvm.Qmp.Tests.Server;

/// <summary>
/// Replays what libvirt 9.0 sends when it probes an emulator (transcript 10). Commands our core implements
/// must answer as QEMU did; the rest (device and CPU model probing, the VMM's job) must fail cleanly
/// with CommandNotFound and libvirt's id, and are listed in the test output.
/// </summary>
[CancelAfter(60_000)]
public sealed class LibvirtProbeReplayTests
{
    [Test]
    public async Task Replay_LibvirtCapabilityProbe_CoreCommandsAnswerAsQemu()
    {
        IReadOnlyList<TranscriptRecord> records = TranscriptRecord.Load(Corpus.Transcript("10-libvirt-9.0-capability-probe.jsonl"));
        await using ServerFixture fixture = ServerFixture.Start();
        using RawQmpConnection connection = await fixture.ConnectAsync();
        Assert.That(await connection.ReadAsync(), Does.StartWith("{\"QMP\""));

        var missing = new SortedSet<string>(StringComparer.Ordinal);
        int matched = 0;
        for (int i = 0; i < records.Count; i++)
        {
            if (records[i].Direction != "c2s")
            {
                continue;
            }

            JsonObject request = JsonNode.Parse(records[i].Raw!)!.AsObject();
            string name = request["execute"]!.GetValue<string>();
            string id = request["id"]!.GetValue<string>();
            string? expected = records.Skip(i + 1).FirstOrDefault(r => r.Direction == "s2c" && (r.Raw?.Contains($"\"id\": \"{id}\"", StringComparison.Ordinal) ?? false))?.Raw?.TrimEnd('\r', '\n');
            await connection.SendAsync(records[i].Raw!);
            string? ours = await connection.ReadAsync();
            Assert.That(ours, Does.EndWith($"\"id\": \"{id}\"}}").Or.StartWith($"{{\"id\": \"{id}\""), name);
            if (fixture.Server.Registry.TryGet(name, out _))
            {
                Assert.That(ours, Does.StartWith("{\"return\": "), name);
                if (expected is not null && name != "query-commands")
                {
                    ShapeComparer.AssertSameShape(JsonNode.Parse(expected), JsonNode.Parse(ours!));
                }

                matched++;
            }
            else
            {
                Assert.That(ours, Is.EqualTo($"{{\"id\": \"{id}\", \"error\": {{\"class\": \"CommandNotFound\", \"desc\": \"The command {name} has not been found\"}}}}"));
                missing.Add(name);
            }
        }

        TestContext.Out.WriteLine("libvirt probe commands left to the VMM: " + string.Join(", ", missing));
        Assert.That(matched, Is.GreaterThanOrEqualTo(6));
    }
}
