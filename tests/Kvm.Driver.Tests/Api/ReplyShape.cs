using System.Text;
using Kvm.DBus;
using Kvm.DBus.Protocol;

namespace Kvm.Driver.Tests.Api;

/// <summary>
/// What a comparison looks at in a reply, values aside: its body signature and how deep each variant nests (so
/// libvirt-dbus's double wrapping shows as "v(v(i))"), or the error name and, where asked, the message.
/// </summary>
internal static class ReplyShape
{
    public static async Task<(string Shape, string? ErrorMessage)> CallAsync(DBusConnection client, string path, string @interface, string member,
        params DBusValue[] args)
    {
        string signature = string.Concat(args.Select(a => a.Signature));
        MessageWriter writer = client.GetMessageWriter();
        writer.WriteMethodCallHeader("org.libvirt", path, @interface, member, signature.Length == 0 ? null : signature);
        foreach (DBusValue arg in args)
        {
            writer.WriteValue(arg);
        }
        try
        {
            using Message reply = await client.CallMethodAsync(writer.CreateMessage());
            Reader reader = reply.GetBodyReader();
            List<DBusValue> values = reader.ReadValues(Encoding.ASCII.GetBytes(reply.Signature));
            return ($"return {reply.Signature} {string.Join(" ", values.Select(Describe))}".TrimEnd(), null);
        }
        catch (DBusErrorReplyException e)
        {
            return ($"error {e.ErrorName}", e.ErrorMessage);
        }
    }

    /// <summary>The type structure of a value with variants spelt out: a{sv} of double-wrapped ints → "a{s:v(v(i))}".</summary>
    public static string Describe(DBusValue value) => value.Type switch
    {
        DBusType.Variant => $"v({Describe(value.Items[0])})",
        DBusType.Array when value.Items.Count > 0 => "a[" + string.Join(",", value.Items.Select(Describe).Distinct()) + "]",
        DBusType.Array => value.Signature + "[]",
        DBusType.Struct => "(" + string.Join(",", value.Items.Select(Describe)) + ")",
        DBusType.DictEntry => "{" + value.Items[0].Signature + ":" + Describe(value.Items[1]) + "}",
        _ => value.Signature,
    };
}
