using System.Text;
using Kvm.Qmp.Commands;
using Kvm.Qmp.Server;

namespace Kvm.Qmp.Tests.Commands;

/// <summary>query-cpus-fast and query-chardev write what the machine reports, in QEMU 7.2's member order.</summary>
public sealed class MachineQueryCommandTests
{
    [Test]
    public async Task QueryCpusFast_TwoVcpus_WritesQemusShape()
    {
        var machine = new ReportingMachine
        {
            Cpus =
            [
                new QmpCpuInfoFast(4001, new QmpCpuInstanceProperties(0, 0, 0), "/machine/unattached/device[0]", 0, "x86_64"),
                new QmpCpuInfoFast(4002, new QmpCpuInstanceProperties(0, 0, 1), "/machine/unattached/device[1]", 1, "x86_64"),
            ],
        };
        string json = await InvokeAsync(new QueryCpusFastCommand(), machine);
        Assert.That(json, Is.EqualTo(
            """[{"thread-id":4001,"props":{"core-id":0,"thread-id":0,"socket-id":0},"qom-path":"/machine/unattached/device[0]","cpu-index":0,"target":"x86_64"},""" +
            """{"thread-id":4002,"props":{"core-id":0,"thread-id":0,"socket-id":1},"qom-path":"/machine/unattached/device[1]","cpu-index":1,"target":"x86_64"}]"""));
    }

    [Test]
    public async Task QueryChardev_Pty_WritesQemusShape()
    {
        var machine = new ReportingMachine { Chardevs = [new QmpChardevInfo(true, "pty:/dev/pts/7", "charserial0")] };
        string json = await InvokeAsync(new QueryChardevCommand(), machine);
        Assert.That(json, Is.EqualTo("""[{"frontend-open":true,"filename":"pty:/dev/pts/7","label":"charserial0"}]"""));
    }

    [Test]
    public async Task QueryCpusFast_NoneMachine_IsEmptyAsQemus()
    {
        string json = await InvokeAsync(new QueryCpusFastCommand(), new QmpNoneMachine(new QmpEventHub()));
        Assert.That(json, Is.EqualTo("[]"));
    }

    [Test]
    public void Registry_Default_ListsBothQueries()
    {
        var registry = QmpCommandRegistry.CreateDefault();
        Assert.That(registry.TryGet("query-cpus-fast", out _) && registry.TryGet("query-chardev", out _), Is.True);
    }

    private static async Task<string> InvokeAsync(QmpCommand command, IQmpMachine machine)
    {
        var context = new QmpCommandContext(machine, QmpCommandRegistry.CreateDefault(), new QmpServerOptions().Version);
        byte[] result = await command.InvokeAsync(context, null, CancellationToken.None);
        return Encoding.UTF8.GetString(result);
    }

    private sealed class ReportingMachine : IQmpMachine
    {
        public IReadOnlyList<QmpCpuInfoFast> Cpus { get; init; } = [];

        public IReadOnlyList<QmpChardevInfo> Chardevs { get; init; } = [];

        public QmpRunState RunState => QmpRunState.Running;

        public string? Name => null;

        public Guid Uuid => Guid.Empty;

        public string Arch => "x86_64";

        public QmpKvmInfo Kvm => new(true, true);

        public IReadOnlyList<QmpCpuInfoFast> QueryCpusFast() => Cpus;

        public IReadOnlyList<QmpChardevInfo> QueryChardev() => Chardevs;

        public ValueTask StopAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask ContAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask SystemResetAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask SystemPowerdownAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask SetActionAsync(SetActionArguments actions, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask QuitAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
