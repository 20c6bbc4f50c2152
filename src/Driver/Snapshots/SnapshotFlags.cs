namespace Kvm.Driver.Snapshots;

/// <summary>libvirt's snapshot flag values (libvirt-domain-snapshot.h) and the names its errors print.</summary>
public static class SnapshotFlags
{
    // virDomainSnapshotCreateFlags
    public const uint CreateRedefine = 1, CreateCurrent = 2, CreateNoMetadata = 4, CreateHalt = 8, CreateDiskOnly = 16,
        CreateReuseExt = 32, CreateQuiesce = 64, CreateAtomic = 128, CreateLive = 256, CreateValidate = 512;

    // virDomainSnapshotListFlags (ROOTS for a domain's list, DESCENDANTS for a snapshot's children: the same bit)
    public const uint ListRoots = 1, ListDescendants = 1, ListMetadata = 2, ListLeaves = 4, ListNoLeaves = 8, ListNoMetadata = 16,
        ListInactive = 32, ListActive = 64, ListDiskOnly = 128, ListInternal = 256, ListExternal = 512, ListTopological = 1024;

    public const uint ListAllFlags = 2047;

    // virDomainSnapshotRevertFlags
    public const uint RevertRunning = 1, RevertPaused = 2, RevertForce = 4, RevertResetNvram = 8;

    // virDomainSnapshotDeleteFlags
    public const uint DeleteChildren = 1, DeleteMetadataOnly = 2, DeleteChildrenOnly = 4;

    // virDomainSnapshotXMLFlags
    public const uint XmlSecure = 1;

    /// <summary>virDomainSnapshotFilter: each group of flags given keeps the snapshots matching one of them.</summary>
    internal static bool Keep(SnapshotDef def, uint flags, bool isLeaf)
    {
        if ((flags & (ListMetadata | ListNoMetadata)) == ListNoMetadata)
        {
            return false; // every snapshot kvmd lists has metadata
        }
        if ((flags & (ListLeaves | ListNoLeaves)) is var leaves && leaves != 0 && leaves != (ListLeaves | ListNoLeaves)
            && (leaves == ListLeaves) != isLeaf)
        {
            return false;
        }
        uint states = flags & (ListInactive | ListActive | ListDiskOnly);
        if (states != 0)
        {
            uint mine = def.State == "disk-snapshot" ? ListDiskOnly : def.IsInactive ? ListInactive : ListActive;
            if ((states & mine) == 0)
            {
                return false;
            }
        }
        uint locations = flags & (ListInternal | ListExternal);
        if (locations != 0 && (locations & (def.IsExternal ? ListExternal : ListInternal)) == 0)
        {
            return false;
        }
        return true;
    }
}
