using Kvm.DBus.Protocol;

namespace Kvm.DBus.Service;

/// <summary>org.freedesktop.DBus.Introspectable, Properties and Peer: names, descriptions, the Peer handler.</summary>
internal static class StandardInterfaces
{
    public const string Introspectable = "org.freedesktop.DBus.Introspectable";
    public const string Properties = "org.freedesktop.DBus.Properties";
    public const string Peer = "org.freedesktop.DBus.Peer";

    public static readonly InterfaceDescription IntrospectableDescription = new(Introspectable,
        [new MethodDescription("Introspect", [], [new ArgDescription("xml_data", "s")])], [], []);

    public static readonly InterfaceDescription PropertiesDescription = new(Properties,
        [
            new MethodDescription("Get", [new("interface_name", "s"), new("property_name", "s")], [new("value", "v")]),
            new MethodDescription("GetAll", [new("interface_name", "s")], [new("props", "a{sv}")]),
            new MethodDescription("Set", [new("interface_name", "s"), new("property_name", "s"), new("value", "v")], []),
        ],
        [new SignalDescription("PropertiesChanged", [new("interface_name", "s"), new("changed_properties", "a{sv}"), new("invalidated_properties", "as")])],
        []);

    public static readonly InterfaceDescription PeerDescription = new(Peer,
        [new MethodDescription("Ping", [], []), new MethodDescription("GetMachineId", [], [new ArgDescription("machine_uuid", "s")])], [], []);

    public static string NoSuchMethod(Message call) =>
        $"No such method '{call.Member}' in interface '{call.Interface}' at object path '{call.Path}' (signature '{call.Signature}')";

    public static void HandlePeer(MethodContext context)
    {
        Message call = context.Request;
        switch ((call.Member, call.Signature))
        {
            case ("Ping", ""):
                context.ReplyEmpty();
                break;
            case ("GetMachineId", ""):
                if (MachineId.Value is { } id)
                {
                    MessageWriter writer = context.CreateReplyWriter("s");
                    writer.WriteString(id);
                    context.Reply(writer.CreateMessage());
                }
                else
                {
                    context.ReplyError(DBusErrorNames.Failed, "No machine id in /etc/machine-id or /var/lib/dbus/machine-id");
                }
                break;
            case ("Ping", _):
            case ("GetMachineId", _):
                context.ReplyError(DBusErrorNames.InvalidArgs, $"Call to {call.Member} has wrong args (got '{call.Signature}', expected '')");
                break;
            default:
                context.ReplyError(DBusErrorNames.UnknownMethod, NoSuchMethod(call));
                break;
        }
    }
}
