using System.Text.Json.Nodes;
using Kvm.Qmp.Tests.Support;

namespace Kvm.Qmp.Tests.Server;

/// <summary>
/// Replays the client side of transcripts recorded from QEMU 7.2 against our server and compares every
/// reply with QEMU's (members, order, error classes and descriptions, values except timestamps).
/// </summary>
public sealed class TranscriptReplayTests
{
    /// <summary>Commands of -machine none that our core does not implement (device and block layers belong to the VMM).</summary>
    private static readonly HashSet<string> s_notOurs =
    [
        "query-iothreads",
        "query-hotpluggable-cpus", "query-current-machine", "device_add",
    ];

    [TestCase("01-handshake.jsonl")]
    [TestCase("02-handshake-oob.jsonl")]
    [TestCase("03-exec-oob-without-oob.jsonl")]
    [TestCase("04-errors-and-framing.jsonl")]
    [TestCase("05-queries-machine-none.jsonl")]
    [CancelAfter(30_000)]
    public async Task Replay_RecordedTranscript_RepliesMatchQemu(string file)
    {
        IReadOnlyList<TranscriptRecord> records = TranscriptRecord.Load(Corpus.Transcript(file));
        await using ServerFixture fixture = ServerFixture.Start();
        using RawQmpConnection connection = await fixture.ConnectAsync();
        string? lastCommand = null;
        int compared = 0;
        foreach (TranscriptRecord record in records)
        {
            if (record.Direction == "c2s")
            {
                await connection.SendAsync(record.Raw!);
                lastCommand = TryCommandName(record.Raw!) ?? lastCommand;
                continue;
            }

            if (record.Direction == "note" && record.Text!.StartsWith("no reply within", StringComparison.Ordinal))
            {
                Assert.That(await connection.ReadAsync(TimeSpan.FromMilliseconds(300)), Is.Null, "QEMU sent nothing here");
                continue;
            }

            if (record.Direction == "note" && record.Text == "server closed the connection (EOF)")
            {
                Assert.That(await connection.IsClosedAsync(TimeSpan.FromSeconds(5)), Is.True, "EOF after quit");
                continue;
            }

            if (record.Direction != "s2c" || record.Raw is null)
            {
                continue;
            }

            string? ours = await connection.ReadAsync();
            Assert.That(ours, Is.Not.Null, $"no reply where QEMU sent {record.Raw}");
            Assert.That(ours!.All(c => c < 0x80), Is.True, "ASCII only");
            compared++;
            if (lastCommand is not null && s_notOurs.Contains(lastCommand))
            {
                Assert.That(ours, Does.Contain($"\"class\": \"CommandNotFound\", \"desc\": \"The command {lastCommand} has not been found\""));
                continue;
            }

            string expectedText = record.Raw.TrimEnd('\r', '\n');
            if (lastCommand == "query-chardev")
            {
                // QEMU lists its monitor's chardev (with the recording's socket path); the fixture's machine has none.
                Assert.That(ours, Does.StartWith("{\"return\": ["));
                continue;
            }

            if (expectedText.Contains(": inf}", StringComparison.Ordinal))
            {
                // QEMU writes the invalid token inf for 1e400; we echo the literal so the reply stays JSON.
                Assert.That(ours, Is.EqualTo(expectedText.Replace(": inf}", ": 1e400}", StringComparison.Ordinal)));
                continue;
            }

            JsonNode? expected = JsonNode.Parse(expectedText);
            JsonNode? actual = JsonNode.Parse(ours!);
            ShapeComparer.AssertSameShape(expected, actual, arrayShapeOnly: lastCommand == "query-commands");
            if (lastCommand != "query-commands" && !expectedText.Contains("\"timestamp\"", StringComparison.Ordinal))
            {
                Assert.That(ours, Is.EqualTo(expectedText), "byte-identical to QEMU");
            }
        }

        Assert.That(compared, Is.GreaterThan(0));
    }

    private static string? TryCommandName(string raw)
    {
        var output = new List<Kvm.Qmp.Protocol.QmpInput>();
        new Kvm.Qmp.Protocol.QmpInputParser().Append(System.Text.Encoding.Latin1.GetBytes(raw + "\n"), output);
        return output is [{ Value: JsonObject request }] && (request["execute"] ?? request["exec-oob"]) is JsonValue name
            && name.TryGetValue(out string? text) ? text : null;
    }
}
