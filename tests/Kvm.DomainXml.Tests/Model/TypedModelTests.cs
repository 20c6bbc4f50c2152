using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests.Model;

/// <summary>
/// The read-only typed views (features, cpu, clock, pm, os firmware, and the device kinds beyond disks, NICs, chardevs,
/// graphics and video): their values for xml-samples/full.xml, and inline cases per parser for other values and for
/// libvirt's parse-time errors. Split by area into partial files.
/// </summary>
[TestFixture]
public sealed partial class TypedModelTests
{
    private static readonly Lazy<DomainDef> s_full = new(() =>
    {
        string path = Path.Combine(Corpus.RepositoryRoot, "xml-samples", "full.xml");
        return DomainXmlParser.Parse(File.ReadAllText(path), path).Definition;
    });

    private static DomainDef Full => s_full.Value;

    /// <summary>A small q35 domain with four vCPUs: <paramref name="head"/> goes after &lt;os&gt;, devices inside &lt;devices&gt;.</summary>
    private static string Domain(string devices = "", string head = "", string os = "") =>
        "<domain type='kvm'><name>t</name><memory unit='KiB'>1048576</memory><vcpu>4</vcpu>" +
        $"<os><type arch='x86_64' machine='q35'>hvm</type>{os}</os>{head}<devices>{devices}</devices></domain>";

    /// <summary>Parses without the semantic rules: these tests are about the typed views that parsing builds.</summary>
    private static DomainDef Parse(string xml) => DomainXmlParser.Parse(xml, "typed.xml", DomainParseFlags.SkipValidate).Definition;

    private static void AssertRejected(string xml, DomainXmlErrorKind kind, string message, string path)
    {
        var error = Assert.Throws<DomainXmlException>(() => DomainXmlParser.Parse(xml, "typed.xml", DomainParseFlags.SkipValidate));

        Assert.That(error!.Kind, Is.EqualTo(kind));
        Assert.That(error.Message, Is.EqualTo(message));
        Assert.That(error.Location?.Path, Is.EqualTo(path));
    }

    [Test]
    public void Parse_FullSample_FeaturesAreAcpiApicPae()
    {
        var features = Full.Features;

        Assert.That(features.Acpi, Is.True);
        Assert.That(features.Apic, Is.True);
        Assert.That(features.Pae, Is.True);
        Assert.That(features.Enabled, Is.EquivalentTo(new[] { "acpi", "apic", "pae" }));
        Assert.That(features.Pmu, Is.Null);
        Assert.That(features.Smm, Is.Null);
        Assert.That(features.Hyperv, Is.Null);
        Assert.That(features.Kvm, Is.Null);
        Assert.That(features.Others, Is.Empty);
    }

    [Test]
    public void Parse_FullSample_CpuIsHostPassthroughWithTopology()
    {
        var cpu = Full.Cpu!;

        Assert.That(cpu.Mode, Is.EqualTo(CpuMode.HostPassthrough));
        Assert.That(cpu.Check, Is.EqualTo(CpuCheck.None));
        Assert.That(cpu.Migratable, Is.True);
        Assert.That(cpu.Match, Is.Null);
        Assert.That(cpu.Model, Is.Null);
        Assert.That(cpu.Topology, Is.EqualTo(new CpuTopology(Sockets: 1, Dies: 1, Clusters: 1, Cores: 4, Threads: 1)));
        Assert.That(cpu.Features, Is.Empty);
        Assert.That(cpu.NumaCells, Is.Empty);
    }

    [Test]
    public void Parse_FullSample_ClockIsUtcWithThreeTimers()
    {
        var clock = Full.Clock;

        Assert.That(clock.Offset, Is.EqualTo(ClockOffset.Utc));
        Assert.That(clock.Adjustment, Is.Null);
        Assert.That(clock.Timers, Is.EqualTo(new[]
        {
            new TimerDef { Name = TimerName.Rtc, TickPolicy = TimerTickPolicy.Catchup },
            new TimerDef { Name = TimerName.Pit, TickPolicy = TimerTickPolicy.Delay },
            new TimerDef { Name = TimerName.Hpet, Present = false },
        }));
    }

    [Test]
    public void Parse_FullSample_PmDisablesBothSuspendStates() =>
        Assert.That(Full.Pm, Is.EqualTo(new PmDef(SuspendToMem: false, SuspendToDisk: false)));

    [Test]
    public void Parse_FullSample_OsHasNoFirmwareDetails()
    {
        Assert.That(Full.Os.LoaderDetails, Is.Null);
        Assert.That(Full.Os.NvramDetails, Is.Null);
        Assert.That(Full.Os.BootMenuTimeout, Is.Null);
    }

    [Test]
    public void Parse_FullSample_TypedDevices()
    {
        var devices = Full.Devices;

        Assert.That(devices.Inputs, Is.EqualTo(new[] { new InputDef { Type = InputType.Keyboard, Bus = InputBus.Ps2 } }));
        Assert.That(devices.Watchdogs, Is.EqualTo(new[] { new WatchdogDef(WatchdogModel.I6300esb, WatchdogAction.Reset) }));
        Assert.That(devices.Memballoon, Is.EqualTo(new MemballoonDef { Model = MemballoonModel.Virtio }));
        Assert.That(devices.Rngs, Is.EqualTo(new[]
        {
            new RngDef { Model = RngModel.Virtio, Backend = RngBackendModel.Random, SourcePath = "/dev/urandom" },
        }));
        Assert.That(devices.Panics, Is.EqualTo(new[] { new PanicDef(PanicModel.Isa) }));
        Assert.That(devices.Vsock, Is.EqualTo(new VsockDef { Model = VsockModel.Virtio, AutoCid = false, Cid = 42 }));
    }

    [Test]
    public void Parse_FullSample_EveryDeviceKindIsTyped()
    {
        var devices = Full.Devices;

        Assert.That(devices.OtherKinds, Is.Empty);
        Assert.That(devices.Sounds, Is.Empty);
        Assert.That(devices.Audios, Is.Empty);
        Assert.That(devices.Filesystems, Is.Empty);
        Assert.That(devices.Hostdevs, Is.Empty);
        Assert.That(devices.Tpms, Is.Empty);
        Assert.That(devices.Iommu, Is.Null);
    }
}
