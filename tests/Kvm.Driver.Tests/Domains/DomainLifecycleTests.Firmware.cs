using Kvm.Driver.Domains;

namespace Kvm.Driver.Tests.Domains;

/// <summary>
/// UEFI domains as kvmd prepares them for their VMM: the firmware chosen from QEMU's descriptors (here a descriptor
/// directory of the test's own, naming files of its own), the per-domain NVRAM made from the template at the first
/// start and kept after, and libvirt's NVRAM rules at undefine.
/// </summary>
public sealed partial class DomainLifecycleTests
{
    private const uint UndefineNvram = 4, UndefineKeepNvram = 8;

    [Test]
    public async Task StartAsync_EfiDomain_GetsTheDescriptorsFirmwareAndAStoreFromItsTemplate()
    {
        var (code, vars) = Descriptor("60-edk2-test.json", features: "\"acpi-s3\"");
        var uuid = _core.Definitions.Define(EfiXml("a")).Uuid;

        await _core.Lifecycle.StartAsync(uuid, paused: false, CancellationToken.None);

        string nvram = Path.Combine(_root, "state", "nvram", "a_VARS.fd");
        Assert.That(File.ReadAllBytes(nvram), Is.EqualTo(File.ReadAllBytes(vars)), "the store is a copy of the template");
        Assert.That(File.GetUnixFileMode(nvram), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        var os = _core.Table.Find(uuid).Live!.Definition.Os;
        Assert.That((os.Firmware, os.Loader, os.LoaderDetails?.Type, os.LoaderDetails?.ReadOnly), Is.EqualTo(("efi", code, (Kvm.DomainXml.Model.LoaderType?)Kvm.DomainXml.Model.LoaderType.Pflash, (bool?)true)));
        Assert.That((os.NvramDetails?.Path, os.NvramDetails?.Template), Is.EqualTo((nvram, vars)));
        Assert.That(_core.Table.Find(uuid).Persistent!.Definition.Os.Loader, Is.Null, "the definition itself keeps firmware='efi' alone");

        // What the guest wrote stays: a second start does not copy the template again.
        await _core.Lifecycle.DestroyAsync(uuid, CancellationToken.None);
        File.WriteAllBytes(nvram, new byte[8192]);
        await _core.Lifecycle.StartAsync(uuid, paused: false, CancellationToken.None);
        Assert.That(File.ReadAllBytes(nvram), Is.All.Zero);
    }

    [Test]
    public async Task StartAsync_EfiWithOnlySecureBootDescriptors_FailsLikeLibvirtWithoutAProcess()
    {
        Descriptor("40-edk2-secure.json", features: "\"requires-smm\", \"secure-boot\"");
        var uuid = _core.Definitions.Define(EfiXml("a")).Uuid;

        var refused = await Assert.ThrowsAsync<DomainOperationException>(async () => await _core.Lifecycle.StartAsync(uuid, paused: false, CancellationToken.None));

        Assert.That(refused!.Message, Is.EqualTo("operation failed: Unable to find any firmware to satisfy 'efi'"));
        Assert.That(_core.Table.LookupByUuid(uuid).State, Is.EqualTo(DomainState.Shutoff));
        Assert.That(_core.Runtime.ReadAll(), Is.Empty, "no VMM was started");
        Assert.That(Directory.Exists(Path.Combine(_root, "state", "nvram")), Is.False, "no store was made");
    }

    [Test]
    public async Task StartAsync_PflashLoaderWithoutTemplate_TakesTheTemplateOfItsDescriptor()
    {
        var (code, vars) = Descriptor("60-edk2-test.json");
        string nvram = Path.Combine(_root, "mine_VARS.fd");
        string xml = EfiXml("b").Replace("<os firmware='efi'>", "<os>", StringComparison.Ordinal)
            .Replace("</type>", $"</type><loader readonly='yes' type='pflash'>{code}</loader><nvram>{nvram}</nvram>", StringComparison.Ordinal);
        var uuid = _core.Definitions.Define(xml).Uuid;

        await _core.Lifecycle.StartAsync(uuid, paused: false, CancellationToken.None);

        Assert.That(File.ReadAllBytes(nvram), Is.EqualTo(File.ReadAllBytes(vars)));
        Assert.That(_core.Table.Find(uuid).Live!.Definition.Os.NvramDetails?.Template, Is.EqualTo(vars));
    }

    [Test]
    public async Task Undefine_DomainWithNvram_RefusedWithoutAFlag_KeptOrRemovedAsAsked()
    {
        Descriptor("60-edk2-test.json");
        string nvram = Path.Combine(_root, "state", "nvram", "a_VARS.fd");
        var uuid = _core.Definitions.Define(EfiXml("a")).Uuid;
        await _core.Lifecycle.StartAsync(uuid, paused: false, CancellationToken.None);
        await _core.Lifecycle.DestroyAsync(uuid, CancellationToken.None);

        var refused = Assert.Throws<DomainOperationException>(() => _core.Definitions.Undefine(uuid, 0));
        Assert.That((refused!.Code, refused.Message), Is.EqualTo((VirErrorCode.OperationInvalid, "Requested operation is not valid: cannot undefine domain with nvram")));
        var both = Assert.Throws<DomainOperationException>(() => _core.Definitions.Undefine(uuid, UndefineNvram | UndefineKeepNvram));
        Assert.That(both!.Message, Is.EqualTo("Requested operation is not valid: cannot both keep and delete nvram"));
        Assert.That(_core.Table.Find(uuid).Persistent, Is.Not.Null, "still defined");

        _core.Definitions.Undefine(uuid, UndefineKeepNvram);
        Assert.That(File.Exists(nvram), Is.True, "kept");

        uuid = _core.Definitions.Define(EfiXml("a")).Uuid;
        _core.Definitions.Undefine(uuid, UndefineNvram);
        Assert.That(File.Exists(nvram), Is.False, "removed");
    }

    private static string EfiXml(string name) => TestDomains.Xml(name).Replace("<kernel>/boot/vmlinuz</kernel>", "", StringComparison.Ordinal)
        .Replace("<cmdline>console=ttyS0</cmdline>", "", StringComparison.Ordinal)
        .Replace("<os>", "<os firmware='efi'>", StringComparison.Ordinal).Replace("<devices>", "<features><acpi/></features><devices>", StringComparison.Ordinal);

    /// <summary>Writes a UEFI descriptor for pc and q35 machines naming a code and a template file of its own.</summary>
    private (string Code, string Vars) Descriptor(string file, string features = "")
    {
        string directory = Path.Combine(_root, "firmware");
        Directory.CreateDirectory(directory);
        string code = Path.Combine(_root, "CODE.fd");
        string vars = Path.Combine(_root, "VARS.fd");
        File.WriteAllBytes(code, new byte[12288]);
        File.WriteAllBytes(vars, [.. Enumerable.Range(0, 20480).Select(i => (byte)(i * 7))]);
        File.WriteAllText(Path.Combine(directory, file), $$"""
            {
              "description": "a test UEFI build",
              "interface-types": ["uefi"],
              "mapping": {
                "device": "flash",
                "executable": { "filename": "{{code}}", "format": "raw" },
                "nvram-template": { "filename": "{{vars}}", "format": "raw" }
              },
              "targets": [ { "architecture": "x86_64", "machines": ["pc-i440fx-*", "pc-q35-*"] } ],
              "features": [ {{features}} ],
              "tags": []
            }
            """);
        return (code, vars);
    }
}
