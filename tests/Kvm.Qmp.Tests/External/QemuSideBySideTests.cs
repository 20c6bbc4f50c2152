using System.Text.Json.Nodes;
using Kvm.Qmp.Commands;
using Kvm.Qmp.Server;
using Kvm.Qmp.Tests.Support;

namespace Kvm.Qmp.Tests.External;

/// <summary>
/// The same inputs to QEMU 7.2's own monitor (-machine none) and to ours, in the same run: the replies
/// must be byte-identical (our server reports QEMU's version so the greeting compares too).
/// </summary>
[Category("Qemu")]
[NonParallelizable]
[CancelAfter(60_000)]
public sealed class QemuSideBySideTests
{
    private static readonly string[] s_beforeNegotiation =
    [
        "{\"execute\": \"query-status\", \"id\": 1}",
        "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": \"oob\"}, \"id\": 2}",
        "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [1]}, \"id\": 3}",
        "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"bogus\"]}, \"id\": 4}",
        "{\"exec-oob\": \"query-status\", \"id\": 5}",
        "{\"execute\": 1, \"id\": \"x\"}",
        "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": null}}",
        "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"], \"x\": 1}}",
        "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\", 2]}}",
        "{\"execute\": \"qmp_capabilities\", \"arguments\": []}",
        "{\"execute\": \"qmp_capabilities\", \"id\": 6}",
    ];

    private static readonly string[] s_withOob =
    [
        "{\"exec-oob\": \"query-status\", \"id\": 1}",
        "{\"exec-oob\": \"migrate-pause\", \"id\": 2}",
        "{\"exec-oob\": \"migrate-pause\", \"arguments\": {\"x\": 1}, \"id\": 3}",
        "{\"exec-oob\": \"migrate-pause\", \"arguments\": [], \"id\": 4}",
        "{\"exec-oob\": 5, \"id\": 5}",
        "{\"exec-oob\": \"no-such\", \"id\": 6}",
        "{\"exec-oob\": \"migrate-pause\", \"execute\": \"migrate-pause\", \"id\": 7}",
        "{\"execute\": \"migrate-pause\", \"id\": 8}",
        "{\"execute\": \"query-status\", \"id\": 9}",
        "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}, \"id\": 10}",
        "{\"exec-oob\": \"migrate-pause\"}",
        "{\"exec-oob\": \"migrate-pause\", \"id\": null}",
    ];

    private static readonly string[] s_afterNegotiation =
    [
        "{\"execute\": \"qmp_capabilities\", \"id\": 7}",
        "{\"execute\": \"query-version\", \"id\": 8}",
        "{\"execute\": \"query-status\", \"id\": {\"nested\": [1, 2.5, null, true, \"x\"]}}",
        "{\"execute\": \"query-kvm\"}",
        "{\"execute\": \"query-target\"}",
        "{\"execute\": \"query-name\"}",
        "{\"execute\": \"query-status\", \"arguments\": {\"x\": 1}}",
        "{\"execute\": \"query-status\", \"arguments\": null}",
        "{\"execute\": \"human-monitor-command\", \"arguments\": {}}",
        "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": 1}}",
        "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info status\"}}",
        "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info version\"}}",
        "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info name\"}}",
        "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info status\", \"cpu-index\": \"0\"}}",
        "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"bogus arg\"}}",
        "{\"execute\": \"no-such\", \"id\": \"\\u00e9\\ud83d\\ude00\"}",
        "{\"execute\": \"query-status\", \"id\": \"tab\\there\\u0007\\u007f/\"}",
        "{\"execute\": \"query-status\", \"id\": 1e5}",
        "{\"execute\": \"query-status\", \"id\": -0}",
        "{\"execute\": \"query-status\", \"id\": 0.1}",
        "{\"execute\": \"query-status\", \"id\": 123456789012345678901234567890}",
        "{\"execute\": \"stop\"}",
        "{\"execute\": \"stop\"}",
        "{\"execute\": \"query-status\"}",
        "{\"execute\": \"cont\"}",
        "{\"execute\": \"system_powerdown\"}",
        "{\"execute\": \"system_reset\"}",
        "{\"execute\": \"set-action\", \"arguments\": {\"shutdown\": \"pause\", \"reboot\": \"shutdown\"}, \"id\": \"sa1\"}",
        "{\"execute\": \"set-action\", \"arguments\": {\"shutdown\": \"poweroff\", \"reboot\": \"reset\", \"panic\": \"none\", \"watchdog\": \"inject-nmi\"}}",
        "{\"execute\": \"set-action\"}",
        "{\"execute\": \"set-action\", \"arguments\": {\"shutdown\": \"halt\"}}",
        "{\"execute\": \"set-action\", \"arguments\": {\"shutdown\": 1}}",
        "{\"execute\": \"set-action\", \"arguments\": {\"shutdown\": null}}",
        "{\"execute\": \"set-action\", \"arguments\": {\"power\": \"pause\"}}",
        "{\"execute\": [\"query-status\"]}",
        "{\"execute\": \"query-status\", \"control\": {}}",
        "{\"arguments\": {}}",
        "{\"a\": foo}",
        "{\"a\" 1}",
        "{1: 2}",
        "{\"a\": [1 2]}",
        "{\"a\": 1 \"b\": 2}",
        "]",
        "}",
        "\"just a string\"",
        "null",
        "true",
        "[]",
        "{}",
        "{\"execute\": \"query-status\", \"id\": 'single'}",
        "{\"execute\": \"query-status\", \"id\": \"bad \\x escape\"}",
        "{\"execute\": \"query-status\", \"id\": 01}",
        "{\"execute\": \"query-status\", \"id\": 1.}",
        "{\"execute\": \"query-status\", \"id\": \"\\u0000\"}",
        "{\"execute\": \"query-status\", \"id\": \"\\ud800\"}",
        "{\"execute\": \"query-status\", \"id\": \"\\ud83d\\u0041\"}",
        "{\"execute\": \"query-status\", \"id\": 1e-7}",
        "{\"execute\": \"query-status\", \"id\": -12.5e+3}",
        "{\"execute\": \"query-status\", \"id\": -}",
        "{\"execute\": \"query-status\", \"id\": 1e}",
        "{\"execute\": \"query-status\", \"id\": tru}",
        "{\"execute\": \"query-status\", \"id\": True}",
        "{\"execute\": \"query-status\", \"arguments\": {}, \"id\": [[[]]]}",
        "[\"a\", {\"b\": 1}]",
        "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}",
        "{\"execute\": \"quit\", \"arguments\": {\"x\": 1}}",
    ];

    /// <summary>Byte-level inputs (after negotiation): raw UTF-8, invalid UTF-8, control bytes inside and outside strings.</summary>
    private static readonly byte[][] s_rawInputs =
    [
        [.. "{\"execute\": \"query-status\", \"id\": \"caf"u8, 0xC3, 0xA9, .. "\"}"u8],
        [.. "{\"execute\": \"query-status\", \"id\": \"bad"u8, 0xC3, 0x28, .. "\"}"u8],
        [.. "{\"execute\": \"query-status\", \"id\": \"overlong"u8, 0xC0, 0xAF, .. "\"}"u8],
        [.. "{\"execute\": \"query-status\", \"id\": \"four"u8, 0xF0, 0x9F, 0x98, 0x80, .. "\"}"u8],
        [.. "{\"execute\": \"query-status\", \"id\": \"tab\there\"}"u8],
        [.. "{\"execute\": \"query-status\", \"id\": \"nl\nhere\"}"u8],
        [.. "{\"execute\": \"query-status\", \"id\": \"fe"u8, 0xFE, .. "\"}"u8],
        [.. "{\"execute\": \"query-status\", \"id\": \"del"u8, 0x7F, .. "\"}"u8],
        [.. "{\"execute\": \"query-status\", "u8, 0xFF, .. "\"id\": 1}"u8],
        [.. "{\"execute\": \"query-status\", \"id\": \"\\u00"u8, 0x01, .. "\"}"u8],
        [0xC3, 0xA9],
        [.. "@"u8],
        [.. "{\"execute\": \"query-status\", \"id\": \"\\u12\"}"u8],
        [.. "{\"execute\": \"query-status\", \"id\": \"\\uDC00\"}"u8],
        [.. "{\"execute\": \"query-status\", \"id\": \"\\uD83D\\uDE00\"}"u8],
    ];

    [Test]
    public async Task SameBytes_QemuAndOurs_ByteIdenticalReplies()
    {
        using QemuProcess qemu = await QemuProcess.StartAsync();
        using RawQmpConnection reference = await RawQmpConnection.ConnectAsync(qemu.EndPoint);
        await ServerFixtureFromGreetingAsync(reference, async (fixture, ours) =>
        {
            foreach (RawQmpConnection connection in new[] { reference, ours })
            {
                await connection.SendAsync("{\"execute\": \"qmp_capabilities\"}\n");
                await connection.ReadAsync();
            }

            var differences = new List<string>();
            int sync = 0;
            foreach (byte[] input in s_rawInputs)
            {
                byte[] marker = System.Text.Encoding.ASCII.GetBytes($"\n{{\"execute\": \"query-name\", \"id\": \"sync-{++sync}\"}}\n");
                await reference.SendAsync([.. input, .. marker]);
                await ours.SendAsync([.. input, .. marker]);
                List<string> expected = await ReadUntilAsync(reference, $"sync-{sync}");
                List<string> actual = await ReadUntilAsync(ours, $"sync-{sync}");
                if (!expected.SequenceEqual(actual))
                {
                    differences.Add($"{Convert.ToHexString(input)}\n   qemu: {string.Join("\n         ", expected)}\n   ours: {string.Join("\n         ", actual)}");
                }
            }

            Assert.That(differences, Is.Empty, string.Join("\n", differences));
        });
    }

    private static async Task ServerFixtureFromGreetingAsync(RawQmpConnection reference, Func<ServerFixture, RawQmpConnection, Task> body)
    {
        string greeting = (await reference.ReadAsync())!;
        JsonNode version = JsonNode.Parse(greeting)!["QMP"]!["version"]!;
        var options = new QmpServerOptions
        {
            Version = new QmpVersionInfo(
                new QmpVersionTriple(version["qemu"]!["major"]!.GetValue<long>(), version["qemu"]!["minor"]!.GetValue<long>(), version["qemu"]!["micro"]!.GetValue<long>()),
                version["package"]!.GetValue<string>()),
        };
        await using ServerFixture fixture = ServerFixture.Start(options);
        using RawQmpConnection ours = await fixture.ConnectAsync();
        Assert.That(await ours.ReadAsync(), Is.EqualTo(greeting), "greeting");
        await body(fixture, ours);
    }

    [Test]
    public async Task OobNegotiated_QemuAndOurs_ByteIdenticalReplies()
    {
        using QemuProcess qemu = await QemuProcess.StartAsync();
        using RawQmpConnection reference = await RawQmpConnection.ConnectAsync(qemu.EndPoint);
        await ServerFixtureFromGreetingAsync(reference, async (fixture, ours) =>
        {
            foreach (RawQmpConnection connection in new[] { reference, ours })
            {
                await connection.SendAsync("{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}\n");
                Assert.That(await connection.ReadAsync(), Is.EqualTo("{\"return\": {}}"));
            }

            var differences = new List<string>();
            int sync = 0;
            foreach (string input in s_withOob)
            {
                string marker = $"{{\"execute\": \"query-name\", \"id\": \"sync-{++sync}\"}}";
                await reference.SendAsync(input + "\n" + marker + "\n");
                await ours.SendAsync(input + "\n" + marker + "\n");
                List<string> expected = await ReadUntilAsync(reference, $"sync-{sync}");
                List<string> actual = await ReadUntilAsync(ours, $"sync-{sync}");
                if (!expected.SequenceEqual(actual))
                {
                    differences.Add($"{input}\n   qemu: {string.Join("\n         ", expected)}\n   ours: {string.Join("\n         ", actual)}");
                }
            }

            Assert.That(differences, Is.Empty, string.Join("\n", differences));
        });
    }

    [Test]
    public async Task SameInputs_QemuAndOurs_ByteIdenticalReplies()
    {
        using QemuProcess qemu = await QemuProcess.StartAsync();
        using RawQmpConnection reference = await RawQmpConnection.ConnectAsync(qemu.EndPoint);
        string greeting = (await reference.ReadAsync())!;
        JsonNode version = JsonNode.Parse(greeting)!["QMP"]!["version"]!;
        var options = new QmpServerOptions
        {
            Version = new QmpVersionInfo(
                new QmpVersionTriple(version["qemu"]!["major"]!.GetValue<long>(), version["qemu"]!["minor"]!.GetValue<long>(), version["qemu"]!["micro"]!.GetValue<long>()),
                version["package"]!.GetValue<string>()),
        };
        await using ServerFixture fixture = ServerFixture.Start(options);
        using RawQmpConnection ours = await fixture.ConnectAsync();
        Assert.That(await ours.ReadAsync(), Is.EqualTo(greeting), "greeting");

        var differences = new List<string>();
        int sync = 0;
        int compared = 0;
        foreach (string input in s_beforeNegotiation.Concat(s_afterNegotiation))
        {
            // Each input is followed by a marker command; everything before the marker's reply belongs to the input.
            string marker = $"{{\"execute\": \"qmp_capabilities\", \"arguments\": {{\"x\": 0}}, \"id\": \"sync-{++sync}\"}}";
            await reference.SendAsync(input + "\n" + marker + "\n");
            await ours.SendAsync(input + "\n" + marker + "\n");
            List<string> expected = await ReadUntilAsync(reference, $"sync-{sync}");
            List<string> actual = await ReadUntilAsync(ours, $"sync-{sync}");
            compared += expected.Count;
            if (!expected.Select(Normalize).SequenceEqual(actual.Select(Normalize)))
            {
                differences.Add($"{input}\n   qemu: {string.Join("\n         ", expected)}\n   ours: {string.Join("\n         ", actual)}");
            }
        }

        Assert.That(differences, Is.Empty, string.Join("\n", differences));
        Assert.That(compared, Is.GreaterThan(2 * (s_beforeNegotiation.Length + s_afterNegotiation.Length)), "every input was answered and compared");
    }

    private static async Task<List<string>> ReadUntilAsync(RawQmpConnection connection, string marker)
    {
        var messages = new List<string>();
        while (await connection.ReadAsync() is { } message)
        {
            messages.Add(message);
            if (message.Contains($"\"id\": \"{marker}\"", StringComparison.Ordinal))
            {
                return messages;
            }
        }

        messages.Add("<timeout or EOF>");
        return messages;
    }

    private static string Normalize(string message) =>
        System.Text.RegularExpressions.Regex.Replace(message, "\"timestamp\": \\{[^}]*\\}", "\"timestamp\": {}");
}
