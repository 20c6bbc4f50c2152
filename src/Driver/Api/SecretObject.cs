using Kvm.Driver.Secrets;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>
/// org.libvirt.Secret for every path below /org/libvirt/QEMU/secret, over the driver core's
/// <see cref="SecretManager"/>: each call first finds the secret from its path (its UUID), then acts.
/// </summary>
internal sealed class SecretObject : ILibvirtObject
{
    private readonly SecretManager _secrets;

    public SecretObject(SecretManager secrets) => _secrets = secrets;

    public LibvirtInterface Interface => LibvirtInterface.Secret;

    public VariantValue GetProperty(string path, string name) => Property(Resolve(path), name);

    public IEnumerable<KeyValuePair<string, VariantValue>> GetAllProperties(string path)
    {
        if (!TryDecode(path, out Guid uuid))
        {
            return [];
        }
        SecretDef def;
        try
        {
            def = _secrets.LookupByUuid(uuid);
        }
        catch (Domains.DomainOperationException)
        {
            return []; // libvirt-dbus: an empty a{sv} for an object that is gone
        }
        return Interface.Description.Properties.Select(p => new KeyValuePair<string, VariantValue>(p.Name, Property(def, p.Name))).ToArray();
    }

    public void SetProperty(string path, string name, ref Reader value) =>
        throw new InvalidOperationException($"{Interface.Name} has no writable property {name}");

    public ValueTask CallAsync(MethodContext context, LibvirtCall call)
    {
        Guid uuid = Resolve(call.Path).Uuid;
        Reader args = context.Request.GetBodyReader();
        switch ((call.Member, call.Signature))
        {
            case ("GetValue", "u"):
            {
                byte[] value = _secrets.GetValue(uuid, args.ReadUInt32());
                using MessageWriter writer = context.CreateReplyWriter("ay");
                writer.WriteArray(value);
                context.Reply(writer.CreateMessage());
                break;
            }
            case ("SetValue", "ayu"):
            {
                byte[] value = args.ReadArrayOfByte();
                _secrets.SetValue(uuid, value, args.ReadUInt32());
                Replies.Empty(context);
                break;
            }
            case ("GetXMLDesc", "u"):
                LibvirtErrors.CheckFlags(args.ReadUInt32(), 0, "secretGetXMLDesc");
                Replies.String(context, SecretXml.Format(_secrets.LookupByUuid(uuid)));
                break;
            case ("Undefine", ""):
                _secrets.Undefine(uuid);
                Replies.Empty(context);
                break;
            default:
                throw LibvirtErrors.NotSupported(Interface.ApiName(call.Member));
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>The secret nodes below the subtree root, for Introspect.</summary>
    public IEnumerable<string> Children(string path) =>
        path == LibvirtPaths.SecretRoot ? _secrets.List(0).Select(s => LibvirtPaths.EncodeUuid(s.Uuid)).ToArray() : [];

    private VariantValue Property(SecretDef secret, string name) => name switch
    {
        "UUID" => VariantValue.String(LibvirtUuid.Format(secret.Uuid)),
        "UsageID" => VariantValue.String(secret.UsageId ?? ""), // virGetSecret keeps NULLSTR_EMPTY(usageID)
        "UsageType" => VariantValue.Int32((int)secret.UsageType),
        _ => throw new ArgumentException($"No property {name} in {Interface.Name}", nameof(name)),
    };

    private SecretDef Resolve(string path) =>
        TryDecode(path, out Guid uuid) ? _secrets.LookupByUuid(uuid) : throw LibvirtErrors.InvalidUuid();

    private static bool TryDecode(string path, out Guid uuid)
    {
        uuid = Guid.Empty;
        return LibvirtPaths.NodeBelow(LibvirtPaths.SecretRoot, path) is { Length: > 0 } node
            && LibvirtUuid.TryParse(LibvirtPaths.DecodeUuid(node), out uuid);
    }
}
