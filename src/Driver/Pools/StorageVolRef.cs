namespace Kvm.Driver.Pools;

/// <summary>A volume of a dir pool: its pool, name, and its key, which is its path (as libvirt's dir backend keys it).</summary>
public sealed record StorageVolRef(string Pool, string Name, string Path)
{
    public string Key => Path;
}
