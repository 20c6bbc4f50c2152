namespace Kvm.Qmp.Schema;

/// <summary>A member of an object type; optional members show <c>"default": null</c> in introspection.</summary>
public sealed record QmpMember(string Name, QmpType Type, bool Optional = false);
