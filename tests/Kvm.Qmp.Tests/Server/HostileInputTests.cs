using System.Text;
using System.Text.Json.Nodes;
using Kvm.Qmp.Protocol;
using Kvm.Qmp.Tests.Support;

namespace Kvm.Qmp.Tests.Server;

/// <summary>Seeded random and truncated input: no exception, every reply is an ASCII JSON object, the session survives.</summary>
[CancelAfter(60_000)]
public sealed class HostileInputTests
{
    private static readonly string[] s_seeds =
    [
        "{\"execute\": \"query-status\", \"id\": 1}",
        "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}",
        "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info status\"}, \"id\": [1, {\"a\": null}]}",
        "{'execute': 'device_del', 'arguments': {'id': 'caf\\u00e9\\ud83d\\ude00'}}",
        "[1.5e10, -0, true, false, null, \"x\\n\"]",
    ];

    [Test]
    public void Append_RandomMutationsInRandomChunks_NeverThrowsAndAlwaysRecovers([Values(1, 2, 3, 4, 5)] int seed)
    {
        var random = new Random(seed);
        var parser = new QmpInputParser(new QmpInputLimits { MaxMessageBytes = 4096, MaxNesting = 64 });
        var output = new List<QmpInput>();
        for (int round = 0; round < 2000; round++)
        {
            byte[] message = Mutate(random, Encoding.UTF8.GetBytes(s_seeds[random.Next(s_seeds.Length)]));
            FeedInChunks(parser, message, random, output);
        }

        foreach (QmpInput input in output)
        {
            Assert.That(input.IsError ? input.Error : "value", Does.StartWith("JSON ").Or.EqualTo("value"));
        }

        // Resynchronise as the QMP spec tells clients to (0xFF), then a valid command must come through.
        output.Clear();
        parser.Append([0xFF, (byte)'\n'], output);
        output.Clear();
        parser.Append("{\"execute\": \"after-fuzz\"}"u8, output);
        Assert.That(output.Last().Value?["execute"]?.GetValue<string>(), Is.EqualTo("after-fuzz"));
    }

    [Test]
    public void Append_EveryPrefixOfValidCommand_YieldsNothingUntilComplete()
    {
        byte[] command = Encoding.UTF8.GetBytes(s_seeds[2]);
        for (int cut = 1; cut < command.Length; cut++)
        {
            var parser = new QmpInputParser();
            var output = new List<QmpInput>();
            parser.Append(command.AsSpan(0, cut), output);
            Assert.That(output, Is.Empty, $"prefix of {cut} bytes");
            parser.Append(command.AsSpan(cut), output);
            Assert.That(output, Has.Count.EqualTo(1));
            Assert.That(output[0].Value!["id"]!.ToJsonString(), Is.EqualTo("[1,{\"a\":null}]"));
        }
    }

    [Test]
    public async Task Server_RandomGarbageOverSocket_RepliesAreAsciiObjectsAndSessionSurvives()
    {
        await using ServerFixture fixture = ServerFixture.Start();
        using RawQmpConnection connection = await fixture.ConnectNegotiatedAsync();
        var random = new Random(42);
        for (int round = 0; round < 300; round++)
        {
            byte[] message = Mutate(random, Encoding.UTF8.GetBytes(s_seeds[random.Next(s_seeds.Length)]));
            await connection.SendAsync(message);
            await connection.SendAsync([0xFF]);
            await connection.SendAsync($"{{\"execute\": \"query-name\", \"id\": \"sync-{round}\"}}");
            while (true)
            {
                string? reply = await connection.ReadAsync();
                Assert.That(reply, Is.Not.Null, $"round {round}: session ended");
                Assert.That(reply!.All(c => c < 0x80), Is.True, reply);
                JsonObject parsed = JsonNode.Parse(reply!)!.AsObject();
                Assert.That(parsed.ContainsKey("return") || parsed.ContainsKey("error") || parsed.ContainsKey("event"), Is.True, reply);
                if (reply!.EndsWith($"\"id\": \"sync-{round}\"}}", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }
    }

    [Test]
    public async Task Server_IdNestedToTheLimit_IsEchoedAndDeeperIsRejected()
    {
        await using ServerFixture fixture = ServerFixture.Start();
        using RawQmpConnection connection = await fixture.ConnectNegotiatedAsync();
        string deepId = new string('[', 1023) + new string(']', 1023);
        await connection.SendAsync("{\"execute\": \"query-name\", \"id\": " + deepId + "}");
        Assert.That(await connection.ReadAsync(), Is.EqualTo("{\"return\": {}, \"id\": " + deepId + "}"));
        await connection.SendAsync("{\"execute\": \"query-name\", \"id\": " + new string('[', 1024));
        Assert.That(await connection.ReadAsync(), Is.EqualTo("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON nesting depth limit exceeded\"}}"));
    }

    private static byte[] Mutate(Random random, byte[] seed)
    {
        var bytes = new List<byte>(seed);
        int mutations = random.Next(0, 4);
        for (int i = 0; i < mutations && bytes.Count > 0; i++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0: bytes.RemoveRange(at, bytes.Count - at); break;
                case 1: bytes[at] = (byte)random.Next(256); break;
                case 2: bytes.Insert(at, "{}[]\":,\\'"u8[random.Next(9)]); break;
                case 3: bytes.RemoveAt(at); break;
                default: bytes.InsertRange(at, bytes.GetRange(0, Math.Min(at, 20))); break;
            }
        }

        return bytes.ToArray();
    }

    private static void FeedInChunks(QmpInputParser parser, byte[] message, Random random, List<QmpInput> output)
    {
        int offset = 0;
        while (offset < message.Length)
        {
            int length = random.Next(1, message.Length - offset + 1);
            parser.Append(message.AsSpan(offset, length), output);
            offset += length;
        }
    }
}
