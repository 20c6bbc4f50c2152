namespace Kvm.DBus.Service;

/// <summary>A method: its name, in and out arguments.</summary>
public sealed record MethodDescription(string Name, IReadOnlyList<ArgDescription> In, IReadOnlyList<ArgDescription> Out)
{
    public string InSignature { get; } = string.Concat(In.Select(a => a.Signature));

    public string OutSignature { get; } = string.Concat(Out.Select(a => a.Signature));
}
