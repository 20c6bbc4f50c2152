using System.Text.Json.Nodes;

namespace Kvm.Qmp.Protocol;

/// <summary>
/// One complete top-level JSON value read from a monitor, or the parse error QEMU would report for it
/// (<see cref="Error"/> is the full desc, e.g. <c>JSON parse error, expecting value</c>).
/// </summary>
public readonly record struct QmpInput(JsonNode? Value, string? Error)
{
    public bool IsError => Error is not null;
}
