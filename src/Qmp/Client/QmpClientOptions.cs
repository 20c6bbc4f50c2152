namespace Kvm.Qmp.Client;

public sealed record QmpClientOptions
{
    /// <summary>How long to keep trying while the socket does not exist yet or refuses connections.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Default time limit for one command (greeting and negotiation included).</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Capabilities to enable when the server offers them (only "oob" exists).</summary>
    public IReadOnlyList<string> Enable { get; init; } = [];
}
