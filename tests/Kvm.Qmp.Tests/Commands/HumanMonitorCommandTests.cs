using System.Text;
using System.Text.Json.Nodes;
using Kvm.Qmp.Commands;
using Kvm.Qmp.Server;

namespace Kvm.Qmp.Tests.Commands;

public sealed class HumanMonitorCommandTests
{
    [TestCase(QmpRunState.Running, "VM status: running\r\n")]
    [TestCase(QmpRunState.Paused, "VM status: paused\r\n")]
    [TestCase(QmpRunState.Prelaunch, "VM status: paused (prelaunch)\r\n")]
    [TestCase(QmpRunState.GuestPanicked, "VM status: paused (guest-panicked)\r\n")]
    public async Task InvokeAsync_InfoStatus_PrintsQemuLine(QmpRunState state, string expected)
    {
        var context = new QmpCommandContext(new FixedStateMachine(state), QmpCommandRegistry.CreateDefault(), new QmpServerOptions().Version);
        byte[] result = await new HumanMonitorCommand().InvokeAsync(context, new JsonObject { ["command-line"] = "info status" }, CancellationToken.None);
        Assert.That(JsonNode.Parse(Encoding.UTF8.GetString(result))!.GetValue<string>(), Is.EqualTo(expected));
    }

    [Test]
    public void RunState_EveryValue_HasASchemaName()
    {
        foreach (QmpRunState state in Enum.GetValues<QmpRunState>())
        {
            string name = System.Text.Json.JsonSerializer.Serialize(state, QmpJsonContext.Default.QmpRunState).Trim('"');
            Assert.That(QmpCoreSchema.RunState.Values, Does.Contain(name), state.ToString());
        }

        Assert.That(Enum.GetValues<QmpRunState>(), Has.Length.EqualTo(QmpCoreSchema.RunState.Values.Count));
    }

    private sealed class FixedStateMachine(QmpRunState state) : IQmpMachine
    {
        public QmpRunState RunState => state;

        public string? Name => "vm1";

        public Guid Uuid => Guid.Empty;

        public string Arch => "x86_64";

        public QmpKvmInfo Kvm => new(false, false);

        public IReadOnlyList<QmpCpuInfoFast> QueryCpusFast() => [];

        public IReadOnlyList<QmpChardevInfo> QueryChardev() => [];

        public ValueTask StopAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask ContAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask SystemResetAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask SystemPowerdownAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask SetActionAsync(SetActionArguments actions, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask QuitAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
