using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>Arguments of set-action: each given action replaces the current one; an absent one is left as it is.</summary>
public sealed record SetActionArguments(
    [property: JsonPropertyName("reboot")] QmpRebootAction? Reboot,
    [property: JsonPropertyName("shutdown")] QmpShutdownAction? Shutdown,
    [property: JsonPropertyName("panic")] QmpPanicAction? Panic,
    [property: JsonPropertyName("watchdog")] QmpWatchdogAction? Watchdog);
