using System.Text.Json.Nodes;

namespace Kvm.Qmp.Client;

/// <summary>An event received from the monitor.</summary>
public sealed record QmpEventMessage(string Name, JsonObject? Data, DateTimeOffset Timestamp);
