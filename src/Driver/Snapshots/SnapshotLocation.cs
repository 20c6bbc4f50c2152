namespace Kvm.Driver.Snapshots;

/// <summary>virDomainSnapshotLocation's names (domain_conf.c), for the snapshot attribute of &lt;memory&gt; and &lt;disk&gt;.</summary>
public static class SnapshotLocation
{
    public const string No = "no", Internal = "internal", External = "external", Manual = "manual";

    public static bool IsKnown(string value) => value is No or Internal or External or Manual;
}
