using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>BlockdevCacheInfo: libvirt's cache modes as QEMU's three flags (writeback: not writethrough/directsync; direct: none/directsync; no-flush: unsafe).</summary>
public sealed record QmpBlockDeviceCacheInfo(
    [property: JsonPropertyName("no-flush"), JsonPropertyOrder(0)] bool NoFlush,
    [property: JsonPropertyName("direct"), JsonPropertyOrder(1)] bool Direct,
    [property: JsonPropertyName("writeback"), JsonPropertyOrder(2)] bool Writeback);
