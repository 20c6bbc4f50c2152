namespace Kvm.Driver.Api;

/// <summary>
/// The error replies GDBus generates for libvirt-dbus before libvirt is reached, with GDBus's texts and curly
/// quotes (U+201C/U+201D), as the real daemon sends them (checked against libvirt-dbus 1.4.1 on GLib 2.74).
/// </summary>
internal static class GDBusErrors
{
    public static (string Name, string Message) ObjectDoesNotExist(string path) =>
        (DBusErrorNames.UnknownMethod, $"Object does not exist at path “{path}”");

    /// <summary>An interface (or a standard interface's member) an ordinary object does not have.</summary>
    public static (string Name, string Message) NoSuchInterfaceOnObject(string? @interface, string path) =>
        (DBusErrorNames.UnknownMethod, $"No such interface “{@interface}” on object at path {path}");

    /// <summary>The same for an object of a subtree (the domains).</summary>
    public static (string Name, string Message) MethodDoesNotExist(string? member, string? @interface, string signature) =>
        (DBusErrorNames.UnknownMethod, $"Method “{member}” on interface “{@interface}” with signature “{signature}” does not exist");

    public static (string Name, string Message) NoSuchMethod(string? member) =>
        (DBusErrorNames.UnknownMethod, $"No such method “{member}”");

    public static (string Name, string Message) WrongSignature(string got, string expected) =>
        (DBusErrorNames.InvalidArgs, $"Type of message, “({got})”, does not match expected type “({expected})”");

    public static (string Name, string Message) NoSuchInterface(string @interface) =>
        (DBusErrorNames.InvalidArgs, $"No such interface “{@interface}”");

    public static (string Name, string Message) NoSuchProperty(string property) =>
        (DBusErrorNames.InvalidArgs, $"No such property “{property}”");

    public static (string Name, string Message) NotWritable(string property) =>
        (DBusErrorNames.InvalidArgs, $"Property “{property}” is not writable");

    public static (string Name, string Message) WrongPropertyType(string property, string expected, string got) =>
        (DBusErrorNames.InvalidArgs, $"Error setting property “{property}”: Expected type “{expected}” but got “{got}”");
}
