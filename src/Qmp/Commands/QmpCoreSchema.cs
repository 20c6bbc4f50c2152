using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>Schema types of the core commands and events (QEMU's qapi definitions, the members we support).</summary>
public static class QmpCoreSchema
{
    public static QmpEnumType RunState { get; } = new(
        "RunState", "debug", "inmigrate", "internal-error", "io-error", "paused", "postmigrate", "prelaunch",
        "finish-migrate", "restore-vm", "running", "save-vm", "shutdown", "suspended", "watchdog", "guest-panicked", "colo");

    public static QmpEnumType ShutdownCause { get; } = new(
        "ShutdownCause", "none", "host-error", "host-qmp-quit", "host-qmp-system-reset", "host-signal", "host-ui",
        "guest-shutdown", "guest-reset", "guest-panic", "subsystem-reset", "snapshot-load");

    public static QmpEnumType QmpCapability { get; } = new("QMPCapability", "oob");

    public static QmpObjectType QmpCapabilitiesArguments { get; } = new(
        "q_obj_qmp_capabilities-arg", new QmpMember("enable", new QmpArrayType(QmpCapability), Optional: true));

    public static QmpObjectType VersionTriple { get; } = new(
        "VersionTriple",
        new QmpMember("major", QmpBuiltinType.Int),
        new QmpMember("minor", QmpBuiltinType.Int),
        new QmpMember("micro", QmpBuiltinType.Int));

    public static QmpObjectType VersionInfo { get; } = new(
        "VersionInfo", new QmpMember("qemu", VersionTriple), new QmpMember("package", QmpBuiltinType.Str));

    public static QmpObjectType StatusInfo { get; } = new(
        "StatusInfo",
        new QmpMember("running", QmpBuiltinType.Bool),
        new QmpMember("singlestep", QmpBuiltinType.Bool),
        new QmpMember("status", RunState));

    public static QmpArrayType CommandInfoList { get; } = new(new QmpObjectType("CommandInfo", new QmpMember("name", QmpBuiltinType.Str)));

    public static QmpObjectType KvmInfo { get; } = new(
        "KvmInfo", new QmpMember("enabled", QmpBuiltinType.Bool), new QmpMember("present", QmpBuiltinType.Bool));

    public static QmpEnumType SysEmuTarget { get; } = new(
        "SysEmuTarget", "aarch64", "alpha", "arm", "avr", "cris", "hppa", "i386", "loongarch64", "m68k", "microblaze",
        "microblazeel", "mips", "mips64", "mips64el", "mipsel", "nios2", "or1k", "ppc", "ppc64", "riscv32", "riscv64", "rx",
        "s390x", "sh4", "sh4eb", "sparc", "sparc64", "tricore", "x86_64", "xtensa", "xtensaeb");

    public static QmpObjectType TargetInfo { get; } = new("TargetInfo", new QmpMember("arch", SysEmuTarget));

    public static QmpObjectType UuidInfo { get; } = new("UuidInfo", new QmpMember("UUID", QmpBuiltinType.Str));

    public static QmpObjectType NameInfo { get; } = new("NameInfo", new QmpMember("name", QmpBuiltinType.Str, Optional: true));

    public static QmpObjectType CpuInstanceProperties { get; } = new(
        "CpuInstanceProperties",
        new QmpMember("node-id", QmpBuiltinType.Int, Optional: true),
        new QmpMember("socket-id", QmpBuiltinType.Int, Optional: true),
        new QmpMember("die-id", QmpBuiltinType.Int, Optional: true),
        new QmpMember("cluster-id", QmpBuiltinType.Int, Optional: true),
        new QmpMember("core-id", QmpBuiltinType.Int, Optional: true),
        new QmpMember("thread-id", QmpBuiltinType.Int, Optional: true));

    public static QmpArrayType CpuInfoFastList { get; } = new(new QmpObjectType(
        "CpuInfoFast",
        new QmpMember("cpu-index", QmpBuiltinType.Int),
        new QmpMember("qom-path", QmpBuiltinType.Str),
        new QmpMember("thread-id", QmpBuiltinType.Int),
        new QmpMember("props", CpuInstanceProperties, Optional: true),
        new QmpMember("target", SysEmuTarget)));

    public static QmpArrayType ChardevInfoList { get; } = new(new QmpObjectType(
        "ChardevInfo",
        new QmpMember("label", QmpBuiltinType.Str),
        new QmpMember("filename", QmpBuiltinType.Str),
        new QmpMember("frontend-open", QmpBuiltinType.Bool)));

    public static QmpObjectType HumanMonitorCommandArguments { get; } = new(
        "q_obj_human-monitor-command-arg",
        new QmpMember("command-line", QmpBuiltinType.Str),
        new QmpMember("cpu-index", QmpBuiltinType.Int, Optional: true));

    public static QmpEnumType RebootAction { get; } = new("RebootAction", "reset", "shutdown");

    public static QmpEnumType ShutdownAction { get; } = new("ShutdownAction", "poweroff", "pause");

    public static QmpEnumType PanicAction { get; } = new("PanicAction", "pause", "shutdown", "exit-failure", "none");

    public static QmpEnumType WatchdogAction { get; } = new(
        "WatchdogAction", "reset", "shutdown", "poweroff", "pause", "debug", "none", "inject-nmi");

    public static QmpObjectType SetActionArguments { get; } = new(
        "q_obj_set-action-arg",
        new QmpMember("reboot", RebootAction, Optional: true),
        new QmpMember("shutdown", ShutdownAction, Optional: true),
        new QmpMember("panic", PanicAction, Optional: true),
        new QmpMember("watchdog", WatchdogAction, Optional: true));

    public static QmpObjectType ShutdownEventData { get; } = new(
        "q_obj_SHUTDOWN-arg", new QmpMember("guest", QmpBuiltinType.Bool), new QmpMember("reason", ShutdownCause));

    public static QmpObjectType ResetEventData { get; } = new(
        "q_obj_RESET-arg", new QmpMember("guest", QmpBuiltinType.Bool), new QmpMember("reason", ShutdownCause));

    /// <summary>SchemaInfo is described by QEMU as a flat union; we describe the return as an array of "any".</summary>
    public static QmpArrayType SchemaInfoList { get; } = new(QmpBuiltinType.Any);

    public static IReadOnlyList<QmpEventDefinition> LifecycleEvents { get; } =
    [
        new("STOP", QmpObjectType.Empty),
        new("RESUME", QmpObjectType.Empty),
        new("RESET", ResetEventData),
        new("POWERDOWN", QmpObjectType.Empty),
        new("SHUTDOWN", ShutdownEventData),
    ];
}
