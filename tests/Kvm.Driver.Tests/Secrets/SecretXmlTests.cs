using Kvm.Driver.Domains;
using Kvm.Driver.Secrets;

namespace Kvm.Driver.Tests.Secrets;

/// <summary>libvirt's secret XML: what libvirt 9.0's secret driver writes back (virsh secret-dumpxml) and its errors for bad input.</summary>
[TestFixture]
public sealed class SecretXmlTests
{
    [TestCase(
        "<secret ephemeral='no' private='yes'><uuid>3beddc70-3379-4903-994b-c0b63ab94628</uuid><usage type='volume'><volume>/a/b</volume></usage></secret>",
        "<secret ephemeral='no' private='yes'>\n  <uuid>3beddc70-3379-4903-994b-c0b63ab94628</uuid>\n  <usage type='volume'>\n    <volume>/a/b</volume>\n  </usage>\n</secret>\n")]
    [TestCase(
        "<secret><uuid>87a5175c-9fe4-40e6-b8dd-6838423fc8eb</uuid><usage type='iscsi'><target>t</target></usage><description>a &amp; b</description></secret>",
        "<secret ephemeral='no' private='no'>\n  <uuid>87a5175c-9fe4-40e6-b8dd-6838423fc8eb</uuid>\n  <description>a &amp; b</description>\n  <usage type='iscsi'>\n    <target>t</target>\n  </usage>\n</secret>\n")]
    [TestCase(
        "<secret ephemeral='yes'><uuid>11111111-2222-3333-4444-555555555555</uuid><usage type='tls'><name>x</name></usage></secret>",
        "<secret ephemeral='yes' private='no'>\n  <uuid>11111111-2222-3333-4444-555555555555</uuid>\n  <usage type='tls'>\n    <name>x</name>\n  </usage>\n</secret>\n")]
    [TestCase(
        "<secret><uuid>33333333-2222-3333-4444-555555555555</uuid></secret>",
        "<secret ephemeral='no' private='no'>\n  <uuid>33333333-2222-3333-4444-555555555555</uuid>\n</secret>\n")]
    [TestCase(
        "<secret><uuid>22222222-2222-3333-4444-555555555555</uuid><usage type='vtpm'><name>x</name></usage></secret>",
        "<secret ephemeral='no' private='no'>\n  <uuid>22222222-2222-3333-4444-555555555555</uuid>\n  <usage type='vtpm'>\n    <name>x</name>\n  </usage>\n</secret>\n")]
    [TestCase(
        "<secret><uuid>22222222-2222-3333-4444-555555555555</uuid><usage type='ceph'><name>client.admin secret</name></usage></secret>",
        "<secret ephemeral='no' private='no'>\n  <uuid>22222222-2222-3333-4444-555555555555</uuid>\n  <usage type='ceph'>\n    <name>client.admin secret</name>\n  </usage>\n</secret>\n")]
    public void ParseFormat_Definition_AsLibvirtWritesIt(string xml, string expected) =>
        Assert.That(SecretXml.Format(SecretXml.Parse(xml)), Is.EqualTo(expected));

    [Test]
    public void Parse_NoUuid_OneIsMadeUp()
    {
        SecretDef a = SecretXml.Parse("<secret><usage type='ceph'><name>n</name></usage></secret>");
        SecretDef b = SecretXml.Parse("<secret><usage type='ceph'><name>n</name></usage></secret>");
        Assert.That((a.Uuid == Guid.Empty, a.Uuid == b.Uuid, a.UsageType, a.UsageId), Is.EqualTo((false, false, SecretUsageType.Ceph, "n")));
    }

    [TestCase("<secret><usage type='volume'/></secret>", "internal error: volume usage specified, but volume path is missing")]
    [TestCase("<secret><usage type='ceph'><name></name></usage></secret>", "internal error: Ceph usage specified, but name is missing")]
    [TestCase("<secret><usage type='iscsi'/></secret>", "internal error: iSCSI usage specified, but target is missing")]
    [TestCase("<secret><usage type='tls'/></secret>", "internal error: TLS usage specified, but name is missing")]
    [TestCase("<secret><usage type='vtpm'/></secret>", "internal error: vTPM usage specified, but name is missing")]
    [TestCase("<secret><usage/></secret>", "XML error: unknown secret usage type")]
    [TestCase("<secret><usage type='foo'/></secret>", "unsupported configuration: unknown secret usage type foo")]
    [TestCase("<secret ephemeral='maybe'/>", "XML error: invalid value of 'ephemeral'")]
    [TestCase("<secret private='x'/>", "XML error: invalid value of 'private'")]
    [TestCase("<secret><uuid>zz</uuid></secret>", "internal error: malformed uuid element")]
    [TestCase("<secrets/>", "XML error: expecting root element of 'secret', not 'secrets'")]
    public void Parse_BadInput_LibvirtsError(string xml, string message) =>
        Assert.That(() => SecretXml.Parse(xml), Throws.TypeOf<DomainOperationException>().With.Message.EqualTo(message));

    [Test]
    public void Parse_NotXml_XmlError() =>
        Assert.That(() => SecretXml.Parse("<secret"), Throws.TypeOf<DomainOperationException>().With.Message.StartsWith("XML error: "));

    [Test]
    public void UsageNames_EveryType_RoundTrips()
    {
        foreach (SecretUsageType type in Enum.GetValues<SecretUsageType>())
        {
            Assert.That(SecretUsageNames.TryParse(SecretUsageNames.Name(type), out SecretUsageType parsed) && parsed == type, Is.True, type.ToString());
        }
    }
}
