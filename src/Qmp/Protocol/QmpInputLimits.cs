namespace Kvm.Qmp.Protocol;

/// <summary>Bounds on one input message (QEMU json-streamer.c: MAX_TOKEN_SIZE, MAX_TOKEN_COUNT, MAX_NESTING).</summary>
public sealed record QmpInputLimits
{
    /// <summary>Total bytes of the tokens of one message. QEMU allows 64 MiB; a monitor needs far less.</summary>
    public int MaxMessageBytes { get; init; } = 8 << 20;

    /// <summary>Tokens in one message (QEMU: 2 Mi).</summary>
    public int MaxTokens { get; init; } = 2 << 20;

    /// <summary>Open brackets and braces (QEMU: 1024).</summary>
    public int MaxNesting { get; init; } = 1024;

    public static QmpInputLimits Default { get; } = new();
}
