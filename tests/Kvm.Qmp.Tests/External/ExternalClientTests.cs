using System.Text.Json.Nodes;
using Kvm.Qmp.Tests.Support;

namespace Kvm.Qmp.Tests.External;

/// <summary>Real external clients against our server: socat scripted from stdin, and a Python stdlib client like qemu.qmp.</summary>
[CancelAfter(60_000)]
public sealed class ExternalClientTests
{
    private const string Socat = "/usr/bin/socat";
    private const string Python = "/usr/bin/python3";

    [Test]
    public async Task Socat_ScriptedSession_GetsGreetingRepliesEventsAndEof()
    {
        ExternalTool.Require(Socat, "socat");
        await using ServerFixture fixture = ServerFixture.Start();
        string script = "{\"execute\": \"qmp_capabilities\"}\n{\"execute\": \"query-status\", \"id\": 1}\n{\"execute\": \"stop\", \"id\": 2}\n{\"execute\": \"quit\", \"id\": 3}\n";
        (int exitCode, string stdout, string stderr) = await ExternalTool.RunAsync(Socat, ["-t", "5", "-", $"UNIX-CONNECT:{fixture.SocketPath}"], script, TimeSpan.FromSeconds(20));

        Assert.That(exitCode, Is.Zero, stderr);
        string[] lines = stdout.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Does.StartWith("{\"QMP\": {\"version\": "));
        Assert.That(lines[1], Is.EqualTo("{\"return\": {}}"));
        Assert.That(lines[2], Is.EqualTo("{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}, \"id\": 1}"));
        Assert.That(lines[3], Does.EndWith("\"event\": \"STOP\"}"));
        Assert.That(lines[4], Is.EqualTo("{\"return\": {}, \"id\": 2}"));
        Assert.That(lines[5], Does.EndWith("\"event\": \"SHUTDOWN\", \"data\": {\"guest\": false, \"reason\": \"host-qmp-quit\"}}"));
        Assert.That(lines[6], Is.EqualTo("{\"return\": {}, \"id\": 3}"));
        Assert.That(lines, Has.Length.EqualTo(7), "EOF after quit");
        Assert.That(fixture.Machine.Calls, Is.EqualTo(new[] { "stop", "quit" }));
    }

    [Test]
    public async Task PythonStdlibClient_LikeQemuQmp_NegotiatesOobExecutesAndSeesEvents()
    {
        ExternalTool.Require(Python, "python3");
        await using ServerFixture fixture = ServerFixture.Start();
        string script = Path.Combine(AppContext.BaseDirectory, "Scripts", "qmp_client.py");
        (int exitCode, string stdout, string stderr) = await ExternalTool.RunAsync(Python, [script, fixture.SocketPath], null, TimeSpan.FromSeconds(30));

        Assert.That(exitCode, Is.Zero, stderr);
        JsonNode summary = JsonNode.Parse(stdout)!;
        Assert.That(summary["oob"]!.ToJsonString(), Is.EqualTo("[\"oob\"]"), "oob offered and enabled, as qemu.qmp does");
        Assert.That(summary["negotiated"]!.ToJsonString(), Is.EqualTo("{\"return\":{}}"));
        Assert.That(summary["status"]!.GetValue<string>(), Is.EqualTo("running"));
        Assert.That(summary["paused"]!.GetValue<string>(), Is.EqualTo("paused"));
        Assert.That(summary["events"]!.ToJsonString(), Is.EqualTo("[\"STOP\",\"RESUME\"]"));
        Assert.That(summary["missing"]!.GetValue<string>(), Is.EqualTo("CommandNotFound"));
        Assert.That(summary["schema_commands"]!.GetValue<int>(), Is.EqualTo(fixture.Server.Registry.Commands.Count));
    }
}
