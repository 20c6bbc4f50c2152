using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>Schema types of the network commands (QEMU 7.2's qapi/net.json).</summary>
public static class QmpNetSchema
{
    public static QmpObjectType SetLinkArguments { get; } = new(
        "q_obj_set_link-arg",
        new QmpMember("name", QmpBuiltinType.Str),
        new QmpMember("up", QmpBuiltinType.Bool));
}
