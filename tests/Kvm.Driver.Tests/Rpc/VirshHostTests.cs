using Kvm.Driver.Tests.Api;

namespace Kvm.Driver.Tests.Rpc;

/// <summary>
/// Debian's real virsh against the RPC front end over the real driver core (<see cref="RpcFixture"/>): the host
/// commands, and the domain capabilities for what define accepts.
/// </summary>
public sealed class VirshHostTests
{
    private const string Virsh = "/usr/bin/virsh";
    private RpcFixture _f = null!;

    [SetUp]
    public async Task SetUp()
    {
        ExternalTool.Require(Virsh, "libvirt-clients");
        _f = await RpcFixture.StartAsync();
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_f is not null)
        {
            await _f.DisposeAsync();
        }
    }

    [TestCase("pc", "pc")]
    [TestCase("q35", "q35")]
    [TestCase("pc-i440fx-7.2", "pc-i440fx-7.2")]
    public void Domcapabilities_MachineDefineAccepts_Answered(string machine, string expected)
    {
        string xml = Run("domcapabilities", "--machine", machine);
        Assert.That(xml, Does.Contain($"<machine>{expected}</machine>"));
        Assert.That(xml, Does.Contain("<arch>x86_64</arch>"));
    }

    [Test]
    public void Domcapabilities_Defaults_TheVmmsMachine() =>
        Assert.That(Run("domcapabilities", "--virttype", "kvm", "--arch", "x86_64"), Does.Contain("<machine>pc</machine>"));

    [TestCase(new[] { "--machine", "virt" }, "error: invalid argument: the machine 'virt' is not supported by emulator '{vmm}'")]
    [TestCase(new[] { "--arch", "aarch64" }, "error: unsupported configuration: unable to find any emulator to serve 'aarch64' architecture")]
    [TestCase(new[] { "--virttype", "qemu" }, "error: invalid argument: Emulator '{vmm}' does not support virt type 'qemu'")]
    public void Domcapabilities_WhatKvmVmmDoesNotRun_LibvirtsError(string[] args, string error)
    {
        (int exit, _, string stderr) = RunRaw(["domcapabilities", .. args]);
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain(error.Replace("{vmm}", _f.Manager.Options.VmmPath, StringComparison.Ordinal) + "\n"));
    }

    [Test]
    public void DefineThenDomcapabilities_NoMachine_DumpxmlShowsTheMachineDomcapabilitiesAnswers()
    {
        string file = Path.Combine(_f.Manager.Root, "a.xml");
        File.WriteAllText(file, TestDomains.Xml("a"));
        Run("define", file);
        string machine = System.Xml.Linq.XElement.Parse(Run("dumpxml", "a")).Element("os")!.Element("type")!.Attribute("machine")!.Value;
        Assert.That(machine, Is.EqualTo("pc"));
        Assert.That(Run("domcapabilities", "--machine", machine), Does.Contain($"<machine>{machine}</machine>"));
    }

    [Test]
    public void Nodememstats_Virsh_TotalIsMeminfos()
    {
        string total = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        Assert.That(Run("nodememstats"), Does.Match($@"^total\s*:\s+{total} KiB\nfree\s*:\s+\d+ KiB\nbuffers\s*:\s+\d+ KiB\ncached\s*:\s+\d+ KiB\n"));
    }

    [Test]
    public void Nodecpustats_Virsh_FourTimes() =>
        Assert.That(Run("nodecpustats", "--cpu", "0"), Does.Match(@"^user:\s+\d+\nsystem:\s+\d+\nidle:\s+\d+\niowait:\s+\d+\n"));

    [Test]
    public void Nodecpumap_Virsh_PresentAndOnlineCpus() =>
        Assert.That(Run("nodecpumap"), Does.Match(@"^CPUs present:\s+[1-9]\d*\nCPUs online:\s+[1-9]\d*\nCPU map:\s+[y-]+\n"));

    [Test]
    public void CpuModels_VirshX86_LibvirtsModels() =>
        Assert.That(Run("cpu-models", "x86_64").Split('\n'), Does.Contain("qemu64").And.Contain("Skylake-Server-IBRS"));

    private string Run(params string[] args)
    {
        (int exit, string stdout, string stderr) = RunRaw(args);
        Assert.That(exit, Is.Zero, $"virsh {string.Join(' ', args)}: {stderr}");
        return stdout;
    }

    private (int Exit, string Stdout, string Stderr) RunRaw(string[] args) => ExternalTool.Run(null, Virsh, ["-c", _f.Uri, .. args]);
}
