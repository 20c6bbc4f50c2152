using Kvm.Driver.Domains;
using Kvm.Driver.Snapshots;

namespace Kvm.Driver.Tests.Snapshots;

/// <summary>libvirt's snapshot XML round trips (its own test data, as qemudomainsnapshotxml2xmltest runs them) and parse errors.</summary>
[TestFixture]
public sealed class SnapshotXmlTests
{
    private const string Uuid = "9d37b878-a7cc-9f9a-b78f-49b3abad25a8";

    private static string Data(string dir, string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Snapshots", "libvirt-xml2xml", dir, name + ".xml"));

    /// <summary>DO_TEST_INOUT: a create request, given libvirt's mocked creation time (which also names an unnamed snapshot).</summary>
    [TestCase("empty", Uuid, 1386166249L)]
    [TestCase("external_vm", null, 1555419243L)]
    public void CreateRequest_LibvirtInput_FormatsAsLibvirtOutput(string name, string? uuid, long time)
    {
        SnapshotDef def = SnapshotXml.Parse(Data("in", name), redefine: false, offline: false);
        def = def with { Name = def.Name.Length == 0 ? time.ToString(System.Globalization.CultureInfo.InvariantCulture) : def.Name, CreationTime = time };
        Assert.That(SnapshotXml.Format(def, uuid is null ? null : Guid.Parse(uuid), secure: false), Is.EqualTo(Data("out", name)));
    }

    [Test]
    public void CreateRequest_NameAndDescription_FormatsAsItself() =>
        Assert.That(SnapshotXml.Format(SnapshotXml.Parse(Data("in", "name_and_description"), false, false), null, false),
            Is.EqualTo(Data("in", "name_and_description")));

    /// <summary>DO_TEST_OUT: a redefinition (and, internal, kvmd's own metadata with its current flag).</summary>
    [TestCase("noparent", Uuid, false)]
    [TestCase("noparent_nodescription_noactive", null, false)]
    [TestCase("all_parameters", Uuid, true)]
    public void Redefine_LibvirtOutput_RoundTrips(string name, string? uuid, bool internalFormat)
    {
        string xml = Data("out", name);
        Guid? domain = uuid is null ? null : Guid.Parse(uuid);
        if (internalFormat)
        {
            SnapshotDef def = SnapshotXml.ParseInternal(xml, out bool current);
            Assert.That(SnapshotXml.Format(def, domain, secure: false, current), Is.EqualTo(xml));
        }
        else
        {
            Assert.That(SnapshotXml.Format(SnapshotXml.Parse(xml, redefine: true, offline: false), domain, secure: false), Is.EqualTo(xml));
        }
    }

    [TestCase("<domainsnapshot><creationTime>1</creationTime><state>shutoff</state></domainsnapshot>", true,
        "XML error: a redefined snapshot must have a name")]
    [TestCase("<domainsnapshot><name>a</name><state>shutoff</state></domainsnapshot>", true,
        "internal error: missing creationTime from existing snapshot")]
    [TestCase("<domainsnapshot><name>a</name><creationTime>1</creationTime><state>nostate</state></domainsnapshot>", true,
        "unsupported configuration: Invalid state 'nostate' in domain snapshot XML")]
    [TestCase("<domainsnapshot><memory snapshot='manual'/></domainsnapshot>", false, "XML error: 'manual' memory snapshot mode not supported")]
    [TestCase("<domainsnapshot><memory snapshot='sideways'/></domainsnapshot>", false,
        "XML error: Invalid value for attribute 'snapshot' in element 'memory': 'sideways'.")]
    [TestCase("<domainsnapshot><disks><disk/></disks></domainsnapshot>", false, "internal error: missing name from disk snapshot element")]
    [TestCase("<domainsnapshot><disks><disk name='vda'><source file='rel.qcow2'/></disk></disks></domainsnapshot>", false,
        "XML error: disk snapshot image path 'rel.qcow2' must be absolute")]
    [TestCase("<domainsnapshot><disks><disk name='vda'><driver type='qcow3'/></disk></disks></domainsnapshot>", false,
        "unsupported configuration: unknown disk snapshot driver 'qcow3'")]
    [TestCase("<domainsnapshot><name>a</name", false, "XML error: (domain_snapshot):1: ")]
    public void Parse_Invalid_LibvirtsError(string xml, bool redefine, string message)
    {
        var e = Assert.Throws<DomainOperationException>(() => SnapshotXml.Parse(xml, redefine, offline: true));
        Assert.That(e!.Message, Does.StartWith(message));
    }
}
