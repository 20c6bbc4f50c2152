namespace Kvm.Kvmctl;

/// <summary>virsh's words for virDomainState and its per-state reasons (virshDomainStateToString and friends).</summary>
internal static class DomainStateText
{
    private static readonly string[] s_states = ["no state", "running", "idle", "paused", "in shutdown", "shut off", "crashed", "pmsuspended"];

    private static readonly string[][] s_reasons =
    [
        ["unknown"], // NOSTATE
        ["unknown", "booted", "migrated", "restored", "from snapshot", "unpaused", "migration canceled", "save canceled",
            "event wakeup", "crashed", "post-copy", "post-copy failed"], // RUNNING
        ["unknown"], // BLOCKED
        ["unknown", "user", "migrating", "saving", "dumping", "I/O error", "watchdog", "from snapshot", "shutting down",
            "creating snapshot", "crashed", "starting up", "post-copy", "post-copy failed", "api error"], // PAUSED
        ["unknown", "user"], // SHUTDOWN
        ["unknown", "shutdown", "destroyed", "crashed", "migrated", "saved", "failed", "from snapshot", "daemon"], // SHUTOFF
        ["unknown", "panicked"], // CRASHED
        ["unknown"], // PMSUSPENDED
    ];

    public static string State(int state) => state >= 0 && state < s_states.Length ? s_states[state] : "no state";

    public static string Reason(int state, int reason) =>
        state >= 0 && state < s_reasons.Length && reason >= 0 && reason < s_reasons[state].Length ? s_reasons[state][reason] : "unknown";
}
