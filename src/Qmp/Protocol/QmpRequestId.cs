using System.Text.Json.Nodes;

namespace Kvm.Qmp.Protocol;

/// <summary>The <c>id</c> of a request: absent, or any JSON value (including null), echoed verbatim.</summary>
public readonly record struct QmpRequestId(bool IsPresent, JsonNode? Value)
{
    public static QmpRequestId None => default;

    public static QmpRequestId From(JsonObject request) =>
        request.TryGetPropertyValue("id", out JsonNode? id) ? new QmpRequestId(true, id) : None;
}
