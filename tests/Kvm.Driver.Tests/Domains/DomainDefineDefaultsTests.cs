using Kvm.Driver.Domains;

namespace Kvm.Driver.Tests.Domains;

/// <summary>
/// The machine type at define time, through the real driver core (<see cref="ManagerFixture"/>): the default for a
/// definition without one, a name the user wrote kept, libvirt's refusal of one kvm-vmm does not answer to, and the
/// default given to a definition an older kvmd stored without one. Every machine define accepts, the domain
/// capabilities answer for, and every machine they refuse, define refuses too.
/// </summary>
[CancelAfter(60_000)]
public sealed class DomainDefineDefaultsTests
{
    private ManagerFixture _f = null!;

    [SetUp]
    public async Task SetUp()
    {
        _f = new ManagerFixture();
        await _f.Manager.InitializeAsync(CancellationToken.None);
    }

    [TearDown]
    public async Task TearDown() => await _f.DisposeAsync();

    [Test]
    public void Define_NoMachine_StoredAndDumpedWithTheVmmsMachine()
    {
        var info = _f.Manager.Define(TestDomains.Xml("a"));
        Assert.That(_f.Manager.GetXmlDesc(info.Uuid, DomainXmlFlags.Inactive), Does.Contain("<type arch='x86_64' machine='pc'>hvm</type>"));
        Assert.That(File.ReadAllText(Path.Combine(_f.Options.StateDirectory, "a.xml")), Does.Contain("machine='pc'"));
    }

    [TestCase("pc")]
    [TestCase("q35")]
    [TestCase("pc-q35-7.2")]
    [TestCase("pc-i440fx-2.9")]
    public void Define_MachineWritten_KeptAsWrittenAndDomainCapabilitiesAnswerIt(string machine)
    {
        var info = _f.Manager.Define(WithMachine("a", machine));
        Assert.That(_f.Manager.GetXmlDesc(info.Uuid, DomainXmlFlags.Inactive), Does.Contain($"machine='{machine}'"));
        Assert.That(DomainCapabilityQuery.Resolve("", "x86_64", machine, "", _f.Options.VmmPath).Machine, Is.EqualTo(machine));
    }

    [TestCase("virt")]
    [TestCase("pc-q35-x")]
    [TestCase("s390-ccw-virtio")]
    public void Define_MachineKvmVmmDoesNotRun_RefusedAsLibvirtAndNotInTheCapabilities(string machine)
    {
        Assert.That(() => _f.Manager.Define(WithMachine("a", machine)), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo($"unsupported configuration: Emulator '{_f.Options.VmmPath}' does not support machine type '{machine}'"));
        Assert.That(_f.Manager.List(), Is.Empty);
        Assert.That(() => DomainCapabilityQuery.Resolve("", "", machine, "", _f.Options.VmmPath), Throws.TypeOf<DomainOperationException>());
    }

    [Test]
    public async Task CreateTransient_NoMachine_LiveXmlShowsTheVmmsMachine()
    {
        var info = await _f.Manager.CreateTransientAsync(TestDomains.Xml("t"), false, CancellationToken.None);
        Assert.That(_f.Manager.GetXmlDesc(info.Uuid, DomainXmlFlags.None), Does.Contain("machine='pc'"));
        await _f.Manager.DestroyAsync(info.Uuid, CancellationToken.None);
    }

    [Test]
    public async Task Load_DefinitionStoredWithoutMachine_GetsTheDefault()
    {
        Directory.CreateDirectory(_f.Options.StateDirectory);
        File.WriteAllText(Path.Combine(_f.Options.StateDirectory, "old.xml"), TestDomains.Xml("old"));
        await _f.RestartAsync();
        Assert.That(_f.Manager.GetXmlDesc(TestDomains.UuidOf("old"), DomainXmlFlags.Inactive), Does.Contain("machine='pc'"));
    }

    [Test]
    public async Task Start_StoredDefinitionWithAMachineKvmVmmDoesNotRun_RefusedWithoutAVmm()
    {
        Directory.CreateDirectory(_f.Options.StateDirectory);
        File.WriteAllText(Path.Combine(_f.Options.StateDirectory, "arm.xml"), WithMachine("arm", "virt"));
        await _f.RestartAsync();
        Guid uuid = TestDomains.UuidOf("arm");
        Assert.That(async () => await _f.Manager.StartAsync(uuid, false, CancellationToken.None), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("unsupported configuration: kvm-vmm cannot boot this domain yet: machine type 'virt'"));
        Assert.That(_f.Manager.LookupByUuid(uuid).Active, Is.False);
    }

    private static string WithMachine(string name, string machine) =>
        TestDomains.Xml(name).Replace("<type arch='x86_64'>", $"<type arch='x86_64' machine='{machine}'>", StringComparison.Ordinal);
}
