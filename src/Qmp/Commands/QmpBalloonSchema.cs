using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>Schema types of the balloon and QOM commands (QEMU 7.2's qapi/machine.json and qapi/qom.json).</summary>
public static class QmpBalloonSchema
{
    public static QmpObjectType BalloonArguments { get; } = new("q_obj_balloon-arg", new QmpMember("value", QmpBuiltinType.Int));

    public static QmpObjectType BalloonInfo { get; } = new("BalloonInfo", new QmpMember("actual", QmpBuiltinType.Int));

    public static QmpObjectType QomListArguments { get; } = new("q_obj_qom-list-arg", new QmpMember("path", QmpBuiltinType.Str));

    public static QmpArrayType ObjectPropertyInfoList { get; } = new(new QmpObjectType(
        "ObjectPropertyInfo",
        new QmpMember("name", QmpBuiltinType.Str),
        new QmpMember("type", QmpBuiltinType.Str),
        new QmpMember("description", QmpBuiltinType.Str, Optional: true),
        new QmpMember("default-value", QmpBuiltinType.Any, Optional: true)));

    public static QmpObjectType QomGetArguments { get; } = new(
        "q_obj_qom-get-arg", new QmpMember("path", QmpBuiltinType.Str), new QmpMember("property", QmpBuiltinType.Str));

    public static QmpObjectType QomSetArguments { get; } = new(
        "q_obj_qom-set-arg",
        new QmpMember("path", QmpBuiltinType.Str),
        new QmpMember("property", QmpBuiltinType.Str),
        new QmpMember("value", QmpBuiltinType.Any));
}
