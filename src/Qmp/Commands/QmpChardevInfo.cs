using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>ChardevInfo (query-chardev): <c>filename</c> is QEMU's, e.g. <c>pty:/dev/pts/3</c>, <c>stdio</c>, <c>file</c>.</summary>
public sealed record QmpChardevInfo(
    [property: JsonPropertyName("frontend-open"), JsonPropertyOrder(0)] bool FrontendOpen,
    [property: JsonPropertyName("filename"), JsonPropertyOrder(1)] string Filename,
    [property: JsonPropertyName("label"), JsonPropertyOrder(2)] string Label);
