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
