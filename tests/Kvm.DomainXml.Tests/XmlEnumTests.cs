using Kvm.DomainXml.Clock;
using Kvm.DomainXml.Cpu;
using Kvm.DomainXml.Devices;
using Kvm.DomainXml.Features;
using Kvm.DomainXml.General;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Os;
using Kvm.DomainXml.Parsing;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests;

/// <summary>Every member of every enum table has an XML name that parses back to it (our G_STATIC_ASSERT).</summary>
[TestFixture]
public sealed class XmlEnumTests
{
    [Test]
    public void Tables_EveryMember_RoundTrips()
    {
        AssertRoundTrips(VcpuXml.s_placement);
        AssertRoundTrips(OsXml.s_boot);
        AssertRoundTrips(LifecycleXml.s_action);
        AssertRoundTrips(LoaderXml.s_type);
        AssertRoundTrips(FeaturesXml.s_ioapic);
        AssertRoundTrips(HypervXml.s_mode);
        AssertRoundTrips(CpuXml.s_mode);
        AssertRoundTrips(CpuXml.s_match);
        AssertRoundTrips(CpuXml.s_check);
        AssertRoundTrips(CpuXml.s_fallback);
        AssertRoundTrips(CpuXml.s_policy);
        AssertRoundTrips(NumaXml.s_memAccess);
        AssertRoundTrips(ClockXml.s_offset);
        AssertRoundTrips(ClockXml.s_basis);
        AssertRoundTrips(ClockXml.s_timerName);
        AssertRoundTrips(ClockXml.s_tickPolicy);
        AssertRoundTrips(ClockXml.s_track);
        AssertRoundTrips(ClockXml.s_timerMode);
        AssertRoundTrips(InputXml.s_type);
        AssertRoundTrips(InputXml.s_bus);
        AssertRoundTrips(InputXml.s_model);
        AssertRoundTrips(SoundXml.s_model);
        AssertRoundTrips(AudioXml.s_type);
        AssertRoundTrips(MemballoonXml.s_model);
        AssertRoundTrips(RngXml.s_model);
        AssertRoundTrips(RngXml.s_backend);
        AssertRoundTrips(WatchdogXml.s_model);
        AssertRoundTrips(WatchdogXml.s_action);
        AssertRoundTrips(PanicXml.s_model);
        AssertRoundTrips(FilesystemXml.s_type);
        AssertRoundTrips(FilesystemXml.s_accessMode);
        AssertRoundTrips(FilesystemXml.s_driverType);
        AssertRoundTrips(FilesystemXml.s_model);
        AssertRoundTrips(HostdevXml.s_mode);
        AssertRoundTrips(HostdevXml.s_type);
        AssertRoundTrips(TpmXml.s_model);
        AssertRoundTrips(TpmXml.s_backend);
        AssertRoundTrips(TpmXml.s_version);
        AssertRoundTrips(VsockXml.s_model);
        AssertRoundTrips(IommuXml.s_model);
    }

    [Test]
    public void Constructor_MemberWithoutName_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => _ = new XmlEnum<VcpuPlacement>((VcpuPlacement.Static, "static")));
    }

    private static void AssertRoundTrips<T>(XmlEnum<T> table)
        where T : struct, Enum
    {
        foreach (var value in Enum.GetValues<T>())
        {
            Assert.That(table.TryParse(table.ToXml(value), out T parsed), Is.True, value.ToString());
            Assert.That(parsed, Is.EqualTo(value));
        }
    }
}
