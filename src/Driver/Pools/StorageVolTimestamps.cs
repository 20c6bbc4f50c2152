namespace Kvm.Driver.Pools;

/// <summary>A volume file's access, modification and change times (seconds and nanoseconds), as libvirt's volume XML reports them.</summary>
public readonly record struct StorageVolTimestamps((long Sec, long Nsec) Access, (long Sec, long Nsec) Modify, (long Sec, long Nsec) Change)
{
    /// <summary>virStorageVolTimestampFormat's value: seconds, then the nanoseconds in nine digits when there are any.</summary>
    public static string Format((long Sec, long Nsec) time) =>
        time.Nsec == 0 ? time.Sec.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{time.Sec}.{time.Nsec:D9}");
}
