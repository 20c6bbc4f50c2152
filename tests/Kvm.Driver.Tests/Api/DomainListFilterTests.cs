using Kvm.Driver.Api;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Tests.Api;

[TestFixture]
public sealed class DomainListFilterTests
{
    private static DomainInfo Domain(DomainState state, bool persistent = true, bool autostart = false) =>
        new(Guid.NewGuid(), "d", state == DomainState.Shutoff ? -1 : 1, persistent, autostart, false, state, 1, "hvm", 1024, 1024, 1, 0);

    [TestCase(DomainListFlags.None, DomainState.Running, true)]
    [TestCase(DomainListFlags.Active, DomainState.Running, true)]
    [TestCase(DomainListFlags.Active, DomainState.Shutoff, false)]
    [TestCase(DomainListFlags.Inactive, DomainState.Shutoff, true)]
    [TestCase(DomainListFlags.Active | DomainListFlags.Inactive, DomainState.Shutoff, true)]
    [TestCase(DomainListFlags.Running, DomainState.Paused, false)]
    [TestCase(DomainListFlags.Paused, DomainState.Paused, true)]
    [TestCase(DomainListFlags.Other, DomainState.Crashed, true)]
    [TestCase(DomainListFlags.Shutoff | DomainListFlags.Running, DomainState.Running, true)]
    [TestCase(DomainListFlags.ManagedSave, DomainState.Shutoff, false)]
    [TestCase(DomainListFlags.NoManagedSave, DomainState.Shutoff, true)]
    [TestCase(DomainListFlags.HasSnapshot, DomainState.Running, false)]
    [TestCase(DomainListFlags.NoSnapshot | DomainListFlags.NoCheckpoint, DomainState.Running, true)]
    [TestCase(DomainListFlags.HasCheckpoint, DomainState.Running, false)]
    public void Matches_StateFilters_AsLibvirt(DomainListFlags flags, DomainState state, bool expected) =>
        Assert.That(DomainListFilter.Matches(Domain(state), flags), Is.EqualTo(expected));

    [TestCase(DomainListFlags.Persistent, true, true)]
    [TestCase(DomainListFlags.Persistent, false, false)]
    [TestCase(DomainListFlags.Transient, false, true)]
    public void Matches_Persistence_AsLibvirt(DomainListFlags flags, bool persistent, bool expected) =>
        Assert.That(DomainListFilter.Matches(Domain(DomainState.Running, persistent), flags), Is.EqualTo(expected));

    [TestCase(DomainListFlags.Autostart, true, true)]
    [TestCase(DomainListFlags.Autostart, false, false)]
    [TestCase(DomainListFlags.NoAutostart, false, true)]
    public void Matches_Autostart_AsLibvirt(DomainListFlags flags, bool autostart, bool expected) =>
        Assert.That(DomainListFilter.Matches(Domain(DomainState.Shutoff, autostart: autostart), flags), Is.EqualTo(expected));
}
