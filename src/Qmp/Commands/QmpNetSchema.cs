using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>Schema types of the network commands (QEMU 7.2's qapi/net.json).</summary>
public static class QmpNetSchema
{
    public static QmpObjectType SetLinkArguments { get; } = new(
        "q_obj_set_link-arg",
        new QmpMember("name", QmpBuiltinType.Str),
        new QmpMember("up", QmpBuiltinType.Bool));

    public static QmpObjectType QueryRxFilterArguments { get; } = new(
        "q_obj_query-rx-filter-arg",
        new QmpMember("name", QmpBuiltinType.Str, Optional: true));

    public static QmpEnumType RxState { get; } = new("RxState", "normal", "none", "all");

    public static QmpArrayType RxFilterInfoList { get; } = new(new QmpObjectType(
        "RxFilterInfo",
        new QmpMember("name", QmpBuiltinType.Str),
        new QmpMember("promiscuous", QmpBuiltinType.Bool),
        new QmpMember("multicast", RxState),
        new QmpMember("unicast", RxState),
        new QmpMember("vlan", RxState),
        new QmpMember("broadcast-allowed", QmpBuiltinType.Bool),
        new QmpMember("multicast-overflow", QmpBuiltinType.Bool),
        new QmpMember("unicast-overflow", QmpBuiltinType.Bool),
        new QmpMember("main-mac", QmpBuiltinType.Str),
        new QmpMember("vlan-table", new QmpArrayType(QmpBuiltinType.Int)),
        new QmpMember("unicast-table", new QmpArrayType(QmpBuiltinType.Str)),
        new QmpMember("multicast-table", new QmpArrayType(QmpBuiltinType.Str))));
}
