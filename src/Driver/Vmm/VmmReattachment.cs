using Kvm.Driver.Runtime;

namespace Kvm.Driver.Vmm;

/// <summary>What re-attaching found: the VMMs adopted, and the domains whose VMM died while kvmd was away (files removed).</summary>
internal sealed record VmmReattachment(IReadOnlyList<VmmAdoption> Adopted, IReadOnlyList<RuntimeStatus> Gone);
