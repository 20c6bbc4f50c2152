using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>Arguments of query-blockstats: <c>query-nodes</c> lists every named node instead of every backend.</summary>
public sealed record QueryBlockstatsArguments(
    [property: JsonPropertyName("query-nodes")] bool? QueryNodes);
