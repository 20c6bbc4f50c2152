using Kvm.Vmm.Support;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Firmware;

/// <summary>QEMU's firmware descriptors read and chosen from as libvirt does, on Debian's own (package ovmf) and on the test's.</summary>
public sealed class FirmwareDescriptorsTests
{
    private const string Debian = "/usr/share/qemu/firmware";

    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("kvm-fwdesc-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [TestCase("pc")]
    [TestCase("q35")]
    [TestCase("pc-i440fx-7.2")]
    [TestCase("pc-q35-7.2")]
    public void Select_DebiansDescriptors_UefiWithoutSecureBootFromTheFourMegabyteBuild(string machine)
    {
        RequireDebian();
        var skipped = new List<string>();
        var descriptors = FirmwareDescriptors.Load([Debian], skipped);

        var chosen = FirmwareDescriptors.Select(descriptors, "uefi", "x86_64", machine);

        Assert.That(skipped, Is.Empty, "every descriptor Debian ships parses");
        Assert.That(chosen, Is.Not.Null);
        Assert.That(Path.GetFileName(chosen!.Source), Is.EqualTo("60-edk2-x86_64.json"), "the secure-boot builds need SMM");
        Assert.That((chosen.Executable, chosen.NvramTemplate), Is.EqualTo(("/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd")));
        Assert.That(descriptors.Select(d => Path.GetFileName(d.Source)), Is.Ordered, "in file-name order, as libvirt takes them");
    }

    [Test]
    public void ForExecutable_DebiansCode_FindsItsTemplate()
    {
        RequireDebian();
        var descriptors = FirmwareDescriptors.Load([Debian]);
        Assert.That(FirmwareDescriptors.ForExecutable(descriptors, "/usr/share/OVMF/OVMF_CODE_4M.fd")?.NvramTemplate, Is.EqualTo("/usr/share/OVMF/OVMF_VARS_4M.fd"));
        Assert.That(FirmwareDescriptors.ForExecutable(descriptors, "/nonexistent/CODE.fd"), Is.Null);
    }

    [Test]
    public void Load_ALaterDirectorysFileOfTheSameName_ReplacesTheEarlierOne()
    {
        string first = Directory.CreateDirectory(Path.Combine(_directory, "usr")).FullName;
        string second = Directory.CreateDirectory(Path.Combine(_directory, "etc")).FullName;
        Write(first, "60-a.json", "/usr/CODE.fd");
        Write(second, "60-a.json", "/etc/CODE.fd");
        Write(first, "50-b.json", "/usr/B.fd", machines: "\"pc-q35-*\"");

        var descriptors = FirmwareDescriptors.Load([first, second, Path.Combine(_directory, "absent")]);

        Assert.That(descriptors.Select(d => d.Executable), Is.EqualTo(new[] { "/usr/B.fd", "/etc/CODE.fd" }));
        Assert.That(FirmwareDescriptors.Select(descriptors, "uefi", "x86_64", "pc")?.Executable, Is.EqualTo("/etc/CODE.fd"), "50-b is for q35 only");
        Assert.That(FirmwareDescriptors.Select(descriptors, "uefi", "x86_64", "q35")?.Executable, Is.EqualTo("/usr/B.fd"));
        Assert.That(FirmwareDescriptors.Select(descriptors, "uefi", "aarch64", "virt"), Is.Null);
        Assert.That(FirmwareDescriptors.Select(descriptors, "bios", "x86_64", "pc"), Is.Null);
    }

    [TestCase("{")]
    [TestCase("{\"interface-types\": [\"uefi\"]}")]
    [TestCase("[1, 2]")]
    public void Load_ABrokenDescriptor_IsLeftOutAndNamed(string content)
    {
        File.WriteAllText(Path.Combine(_directory, "10-broken.json"), content);
        Write(_directory, "60-good.json", "/CODE.fd");
        var skipped = new List<string>();

        var descriptors = FirmwareDescriptors.Load([_directory], skipped);

        Assert.That(descriptors.Select(d => d.Executable), Is.EqualTo(new[] { "/CODE.fd" }));
        Assert.That(skipped, Is.EqualTo(new[] { Path.Combine(_directory, "10-broken.json") }));
    }

    [TestCase("pc-i440fx-*", "pc-i440fx-7.2", true)]
    [TestCase("pc-i440fx-*", "pc-q35-7.2", false)]
    [TestCase("pc-q35-*", "pc-q35-", true)]
    [TestCase("*", "", true)]
    [TestCase("pc-?35-*", "pc-q35-8.0", true)]
    [TestCase("a*b*c", "axxbyyc", true)]
    [TestCase("a*b*c", "axxbyy", false)]
    public void GlobMatches_IsFnmatch(string pattern, string text, bool matches) =>
        Assert.That(FirmwareDescriptors.GlobMatches(pattern, text), Is.EqualTo(matches));

    [Test]
    public void GlobMatches_ManyStarsAgainstALongName_StaysLinear()
    {
        string text = new('a', 100_000);
        Assert.That(FirmwareDescriptors.GlobMatches("*a*a*a*a*a*b", text), Is.False);
    }

    private static void RequireDebian()
    {
        if (!File.Exists(Path.Combine(Debian, "60-edk2-x86_64.json")))
        {
            Assert.Ignore($"needs {Debian}/60-edk2-x86_64.json (Debian's ovmf package)");
        }
    }

    private static void Write(string directory, string file, string executable, string machines = "\"pc-i440fx-*\", \"pc-q35-*\"") =>
        File.WriteAllText(Path.Combine(directory, file), $$"""
            {
              "interface-types": ["uefi"],
              "mapping": { "device": "flash", "executable": { "filename": "{{executable}}" }, "nvram-template": { "filename": "/VARS.fd" } },
              "targets": [ { "architecture": "x86_64", "machines": [ {{machines}} ] } ],
              "features": []
            }
            """);
}
