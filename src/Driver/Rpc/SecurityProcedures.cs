using Kvm.Driver.Domains;

namespace Kvm.Driver.Rpc;

/// <summary>
/// The security driver's procedures. kvmd has none (no SELinux or AppArmor labelling of kvm-vmm yet), so it answers
/// as libvirt's QEMU driver with security_driver "none": model "none", DOI "0", and an empty, unenforced label. virsh's
/// dominfo prints the model and DOI from these, as it does against virtqemud.
/// </summary>
internal sealed class SecurityProcedures
{
    private const string Model = "none", Doi = "0";
    private const int ModelMax = 257, DoiMax = 257, LabelMax = 4097; // VIR_SECURITY_MODEL_BUFLEN, VIR_SECURITY_DOI_BUFLEN, VIR_SECURITY_LABEL_BUFLEN

    private readonly IDomainManager _manager;

    public SecurityProcedures(IDomainManager manager)
    {
        _manager = manager;
    }

    /// <summary>remote_node_get_security_model_ret: model and doi as char arrays holding the C string and its NUL.</summary>
    public PacketBuffer NodeGetSecurityModel(RpcCall call)
    {
        call.NoArgs();
        PacketBuffer reply = call.Reply(out XdrWriter body);
        WriteCharArray(ref body, Model, ModelMax);
        WriteCharArray(ref body, Doi, DoiMax);
        return reply;
    }

    /// <summary>remote_domain_get_security_label_ret: the label (empty: nothing labels kvm-vmm) and enforcing 0; the domain must exist.</summary>
    public PacketBuffer DomainGetSecurityLabel(RpcCall call)
    {
        XdrReader args = call.Reader();
        Guid uuid = RemoteDomain.ReadUuid(ref args);
        args.EnsureEnd();
        _manager.LookupByUuid(uuid);
        PacketBuffer reply = call.Reply(out XdrWriter body);
        WriteCharArray(ref body, "", LabelMax);
        body.WriteInt32(0);
        return reply;
    }

    /// <summary>XDR <c>char name&lt;max&gt;</c>: a count, then each char as a 4-byte unit (xdr_char), here a C string with its NUL as libvirt sends it.</summary>
    private static void WriteCharArray(ref XdrWriter body, string value, int max)
    {
        body.WriteArrayCount(value.Length + 1, max);
        foreach (char c in value)
        {
            body.WriteInt32((byte)c);
        }
        body.WriteInt32(0);
    }
}
