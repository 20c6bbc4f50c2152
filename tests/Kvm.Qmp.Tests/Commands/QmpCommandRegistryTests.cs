using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Commands;
using Kvm.Qmp.Schema;
using Kvm.Qmp.Server;
using Kvm.Qmp.Tests.Support;

namespace Kvm.Qmp.Tests.Commands;

/// <summary>How the VMM adds a command: typed arguments and result, its own source-generated context, a schema.</summary>
[CancelAfter(30_000)]
public sealed partial class QmpCommandRegistryTests
{
    [Test]
    public async Task Add_TypedCommand_DispatchedCheckedAndIntrospected()
    {
        var events = new QmpEventHub();
        QmpCommandRegistry registry = QmpCommandRegistry.CreateDefault();
        registry.Add(new BalloonCommand());
        string path = Path.Combine(Path.GetTempPath(), "qmp-reg-" + Guid.NewGuid().ToString("N")[..8] + ".sock");
        await using var server = new QmpServer(new QmpNoneMachine(events), events, registry);
        server.AddMonitor($"unix:{path},server");
        using RawQmpConnection connection = await RawQmpConnection.ConnectAsync(server.Monitors[0].LocalEndPoint);
        await connection.ReadAsync();
        await connection.SendAsync("{\"execute\": \"qmp_capabilities\"}");
        await connection.ReadAsync();

        await connection.SendAsync("{\"execute\": \"x-echo-size\", \"arguments\": {\"value\": 1073741824}, \"id\": 1}");
        Assert.That(await connection.ReadAsync(), Is.EqualTo("{\"return\": {\"actual\": 1073741824}, \"id\": 1}"));
        await connection.SendAsync("{\"execute\": \"x-echo-size\", \"arguments\": {\"value\": \"big\"}, \"id\": 2}");
        Assert.That(await connection.ReadAsync(), Is.EqualTo("{\"id\": 2, \"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter type for 'value', expected: integer\"}}"));
        await connection.SendAsync("{\"execute\": \"query-commands\", \"id\": 3}");
        Assert.That(await connection.ReadAsync(), Does.Contain("{\"name\": \"x-echo-size\"}"));
        Assert.That(System.Text.Encoding.UTF8.GetString(registry.GetSchemaJson()), Does.Contain("{\"name\":\"x-echo-size\",\"ret-type\":"));
    }

    [Test]
    public void Add_SameNameTwice_Throws()
    {
        QmpCommandRegistry registry = QmpCommandRegistry.CreateDefault();
        Assert.That(() => registry.Add(new QueryStatusCommand()), Throws.ArgumentException);
    }

    private sealed record BalloonArguments([property: JsonPropertyName("value")] long Value);

    private sealed record BalloonInfo([property: JsonPropertyName("actual")] long Actual);

    [JsonSerializable(typeof(BalloonArguments))]
    [JsonSerializable(typeof(BalloonInfo))]
    private sealed partial class BalloonJsonContext : JsonSerializerContext;

    private sealed class BalloonCommand : QmpCommand<BalloonArguments, BalloonInfo>
    {
        private static readonly QmpObjectType s_arguments = new("q_obj_x-echo-size-arg", new QmpMember("value", QmpBuiltinType.Int));
        private static readonly QmpObjectType s_result = new("XEchoSizeInfo", new QmpMember("actual", QmpBuiltinType.Int));

        public override string Name => "x-echo-size"; // balloon's shape, under a name of its own (balloon is a core command)

        public override QmpObjectType ArgumentsType => s_arguments;

        public override QmpType ReturnType => s_result;

        protected override JsonTypeInfo<BalloonArguments> ArgumentsTypeInfo => BalloonJsonContext.Default.BalloonArguments;

        protected override JsonTypeInfo<BalloonInfo> ResultTypeInfo => BalloonJsonContext.Default.BalloonInfo;

        protected override ValueTask<BalloonInfo> ExecuteAsync(QmpCommandContext context, BalloonArguments arguments, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new BalloonInfo(arguments.Value));
    }
}
