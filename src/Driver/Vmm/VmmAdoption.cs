using Kvm.DomainXml;
using Kvm.Driver.Runtime;
using Kvm.Qmp.Commands;

namespace Kvm.Driver.Vmm;

/// <summary>A VMM that outlived the previous kvmd and answers again: its status, its monitor, its live definition and run state.</summary>
internal sealed record VmmAdoption(RuntimeStatus Status, VmmInstance Vmm, DomainDocument Live, QmpRunState RunState);
