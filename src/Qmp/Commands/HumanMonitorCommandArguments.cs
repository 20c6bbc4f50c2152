using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>Arguments of human-monitor-command.</summary>
public sealed record HumanMonitorCommandArguments(
    [property: JsonPropertyName("command-line")] string CommandLine,
    [property: JsonPropertyName("cpu-index")] long? CpuIndex);
