using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>An event the monitor may send, for query-qmp-schema.</summary>
public sealed record QmpEventDefinition(string Name, QmpObjectType Data);
