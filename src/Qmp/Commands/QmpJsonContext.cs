using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>Source-generated metadata for every type the library itself reads or writes (no run-time reflection).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(QmpEmpty))]
[JsonSerializable(typeof(QmpVersionInfo))]
[JsonSerializable(typeof(QmpStatusInfo))]
[JsonSerializable(typeof(QmpRunState))]
[JsonSerializable(typeof(IReadOnlyList<QmpCommandInfo>))]
[JsonSerializable(typeof(QmpKvmInfo))]
[JsonSerializable(typeof(IReadOnlyList<QmpCpuInfoFast>))]
[JsonSerializable(typeof(IReadOnlyList<QmpChardevInfo>))]
[JsonSerializable(typeof(QmpTargetInfo))]
[JsonSerializable(typeof(QmpNameInfo))]
[JsonSerializable(typeof(QmpUuidInfo))]
[JsonSerializable(typeof(QmpCapabilitiesArguments))]
[JsonSerializable(typeof(HumanMonitorCommandArguments))]
[JsonSerializable(typeof(SetActionArguments))]
[JsonSerializable(typeof(QmpShutdownEventData))]
[JsonSerializable(typeof(IReadOnlyList<QmpBlockInfo>))]
[JsonSerializable(typeof(IReadOnlyList<QmpBlockStats>))]
[JsonSerializable(typeof(IReadOnlyList<QmpPciInfo>))]
[JsonSerializable(typeof(QueryBlockstatsArguments))]
[JsonSerializable(typeof(BlockResizeArguments))]
[JsonSerializable(typeof(SetLinkArguments))]
[JsonSerializable(typeof(BalloonArguments))]
[JsonSerializable(typeof(QmpBalloonInfo))]
[JsonSerializable(typeof(QmpGuestStats))]
[JsonSerializable(typeof(QomPathArguments))]
[JsonSerializable(typeof(QomPropertyArguments))]
[JsonSerializable(typeof(IReadOnlyList<QmpObjectPropertyInfo>))]
[JsonSerializable(typeof(QmpBlockIoErrorEventData))]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(string))]
public sealed partial class QmpJsonContext : JsonSerializerContext;
