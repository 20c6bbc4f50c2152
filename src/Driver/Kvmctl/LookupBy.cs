namespace Kvm.Kvmctl;

/// <summary>How a verb may find its domain (virsh's VIRSH_BYID, VIRSH_BYUUID, VIRSH_BYNAME).</summary>
[Flags]
internal enum LookupBy
{
    None = 0,
    Id = 1,
    Uuid = 2,
    Name = 4,
    Any = Id | Uuid | Name,
}
