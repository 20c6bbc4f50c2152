using Kvm.Driver.Domains;
using Kvm.Driver.NetInterfaces;

namespace Kvm.Driver.Rpc;

/// <summary>
/// The host interface procedures over <see cref="UdevInterfaces"/> (read-only, as libvirt's udev backend: defining,
/// starting and stopping interfaces stay "not supported"). A remote_nonnull_interface is the name and the MAC; the
/// server looks interfaces up by name, as the udev backend does.
/// </summary>
internal sealed class InterfaceProcedures
{
    private const int MaxInterfaces = 16_384; // REMOTE_INTERFACE_LIST_MAX
    private readonly UdevInterfaces _interfaces;

    public InterfaceProcedures(UdevInterfaces interfaces)
    {
        _interfaces = interfaces;
    }

    public PacketBuffer ListAll(RpcCall call)
    {
        XdrReader args = call.Reader();
        bool needResults = args.ReadInt32() != 0;
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        IReadOnlyList<HostInterface> interfaces = _interfaces.List(flags);
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteArrayCount(needResults ? interfaces.Count : 0, MaxInterfaces);
        if (needResults)
        {
            foreach (HostInterface i in interfaces)
            {
                Write(ref body, i);
            }
        }
        body.WriteUInt32((uint)interfaces.Count);
        return reply;
    }

    /// <summary>virConnectNumOfInterfaces (active) and virConnectNumOfDefinedInterfaces (inactive).</summary>
    public PacketBuffer NumOf(RpcCall call, bool active)
    {
        call.NoArgs();
        return call.ReplyInt(_interfaces.List(active ? UdevInterfaces.ListActive : UdevInterfaces.ListInactive).Count);
    }

    /// <summary>virConnectListInterfaces (active) and virConnectListDefinedInterfaces (inactive): names.</summary>
    public PacketBuffer ListNames(RpcCall call, bool active)
    {
        XdrReader args = call.Reader();
        int max = args.ReadInt32();
        args.EnsureEnd();
        if (max > MaxInterfaces)
        {
            throw new DomainOperationException(VirErrorCode.Rpc, $"Too many interfaces '{max}' for limit '{MaxInterfaces}'");
        }
        string[] names = _interfaces.List(active ? UdevInterfaces.ListActive : UdevInterfaces.ListInactive).Select(i => i.Name).Take(Math.Max(0, max)).ToArray();
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteArrayCount(names.Length, MaxInterfaces);
        foreach (string name in names)
        {
            body.WriteString(name);
        }
        return reply;
    }

    public PacketBuffer LookupByName(RpcCall call)
    {
        XdrReader args = call.Reader();
        string name = args.ReadString();
        args.EnsureEnd();
        return Reply(call, _interfaces.LookupByName(name));
    }

    public PacketBuffer LookupByMac(RpcCall call)
    {
        XdrReader args = call.Reader();
        string mac = args.ReadString();
        args.EnsureEnd();
        return Reply(call, _interfaces.LookupByMac(mac));
    }

    public PacketBuffer GetXmlDesc(RpcCall call)
    {
        XdrReader args = call.Reader();
        string name = ReadInterface(ref args);
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        return call.ReplyString(_interfaces.GetXmlDesc(name, flags));
    }

    public PacketBuffer IsActive(RpcCall call)
    {
        XdrReader args = call.Reader();
        string name = ReadInterface(ref args);
        args.EnsureEnd();
        return call.ReplyInt(_interfaces.LookupByName(name).Active ? 1 : 0);
    }

    private static string ReadInterface(ref XdrReader args)
    {
        string name = args.ReadString();
        args.ReadString();
        return name;
    }

    private static PacketBuffer Reply(RpcCall call, HostInterface found)
    {
        PacketBuffer reply = call.Reply(out XdrWriter body);
        Write(ref body, found);
        return reply;
    }

    private static void Write(ref XdrWriter body, HostInterface i)
    {
        body.WriteString(i.Name);
        body.WriteString(i.Mac);
    }
}
