using Kvm.DomainXml.Devices;

namespace Kvm.DomainXml.Model;

/// <summary>
/// The XML spelling of the model's enums, for messages that quote the user's document ("bus 'usb'", not "Usb").
/// The names come from the same tables the parser and the formatter use.
/// </summary>
public static class EnumXmlNames
{
    public static string ToXml(this InputType type) => InputXml.s_type.ToXml(type);

    public static string ToXml(this InputBus bus) => InputXml.s_bus.ToXml(bus);

    public static string ToXml(this MemballoonModel model) => MemballoonXml.s_model.ToXml(model);
}
