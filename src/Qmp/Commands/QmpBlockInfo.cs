using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>
/// BlockInfo (query-block): one block backend and its device. Members in the order QEMU 7.2 writes them (its QDict's
/// hash order); optional members are left out when null, as QEMU leaves out those it has not set.
/// </summary>
public sealed record QmpBlockInfo
{
    /// <summary>"ok", "failed" or "nospace"; present when the device tracks its I/O status (virtio-blk, IDE and SCSI disks do).</summary>
    [JsonPropertyName("io-status"), JsonPropertyOrder(0), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IoStatus { get; init; }

    /// <summary>The backend's name: a -drive id, or "" for the anonymous backend of a -blockdev disk (libvirt 5.10+).</summary>
    [JsonPropertyName("device"), JsonPropertyOrder(1)]
    public required string Device { get; init; }

    [JsonPropertyName("locked"), JsonPropertyOrder(2)]
    public bool Locked { get; init; }

    [JsonPropertyName("removable"), JsonPropertyOrder(3)]
    public bool Removable { get; init; }

    [JsonPropertyName("inserted"), JsonPropertyOrder(4), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public QmpBlockDeviceInfo? Inserted { get; init; }

    /// <summary>The device's qdev id, or its QOM path when the id is a virtio proxy's (…/virtio-backend).</summary>
    [JsonPropertyName("qdev"), JsonPropertyOrder(5), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Qdev { get; init; }

    /// <summary>For a removable medium's drive (a CD-ROM): whether its tray is open.</summary>
    [JsonPropertyName("tray_open"), JsonPropertyOrder(6), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? TrayOpen { get; init; }

    /// <summary>Always "unknown" since QEMU 2.x (the member is deprecated).</summary>
    [JsonPropertyName("type"), JsonPropertyOrder(7)]
    public string Type { get; init; } = "unknown";
}
