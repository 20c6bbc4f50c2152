namespace Kvm.Qmp.Protocol;

/// <summary>One lexed token: structural tokens carry no text; strings carry their decoded value.</summary>
internal readonly record struct JsonToken(JsonTokenKind Kind, string? Text);
