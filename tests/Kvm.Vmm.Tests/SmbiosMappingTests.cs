using Kvm.DomainXml;
using Kvm.Vmm.Launch;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary><c>&lt;sysinfo type='smbios'&gt;</c> and <c>&lt;os&gt;&lt;smbios mode&gt;</c> onto the machine's SMBIOS values.</summary>
public sealed class SmbiosMappingTests
{
    private const string Sysinfo = """
        <sysinfo type='smbios'>
          <bios><entry name='vendor'>Acme BIOS</entry><entry name='version'>2.1</entry><entry name='date'>03/04/2025</entry><entry name='release'>2.7</entry></bios>
          <system><entry name='manufacturer'>Acme</entry><entry name='product'>Widget</entry><entry name='serial'>ds=nocloud</entry>
            <entry name='uuid'>01234567-89ab-cdef-0123-456789abcdef</entry><entry name='family'>Fam</entry></system>
          <baseBoard><entry name='manufacturer'>Board Co</entry><entry name='location'>slot 1</entry></baseBoard>
          <chassis><entry name='manufacturer'>Case Co</entry><entry name='asset'>A-7</entry></chassis>
          <oemStrings><entry>ds=nocloud;s=http://10.0.0.1/</entry><entry>app:x</entry></oemStrings>
        </sysinfo>
        """;

    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("kvm-smbios-mapping-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Map_ModeSysinfo_TakesEveryBlock()
    {
        var config = Map(Sysinfo, "<smbios mode='sysinfo'/>");

        Assert.Multiple(() =>
        {
            Assert.That(config.BiosVendor, Is.EqualTo("Acme BIOS"));
            Assert.That(config.BiosVersion, Is.EqualTo("2.1"));
            Assert.That(config.BiosDate, Is.EqualTo("03/04/2025"));
            Assert.That(config.BiosRelease, Is.EqualTo(((byte)2, (byte)7)));
            Assert.That(config.SystemManufacturer, Is.EqualTo("Acme"));
            Assert.That(config.SystemProduct, Is.EqualTo("Widget"));
            Assert.That(config.SystemSerial, Is.EqualTo("ds=nocloud"));
            Assert.That(config.SystemFamily, Is.EqualTo("Fam"));
            Assert.That(config.SystemVersion, Is.Null);
            Assert.That(config.BaseBoards, Has.Count.EqualTo(1));
            Assert.That(config.BaseBoards[0].Manufacturer, Is.EqualTo("Board Co"));
            Assert.That(config.BaseBoards[0].Location, Is.EqualTo("slot 1"));
            Assert.That(config.ChassisManufacturer, Is.EqualTo("Case Co"));
            Assert.That(config.ChassisAsset, Is.EqualTo("A-7"));
            Assert.That(config.OemStrings, Is.EqualTo(new[] { "ds=nocloud;s=http://10.0.0.1/", "app:x" }));
        });
    }

    [TestCase("")]
    [TestCase("<smbios mode='emulate'/>")]
    public void Map_EmulateOrNoMode_IgnoresTheSysinfo(string smbios)
    {
        var config = Map(Sysinfo, smbios);

        Assert.That(config.SystemManufacturer, Is.Null);
        Assert.That(config.OemStrings, Is.Empty);
    }

    [Test]
    public void Map_ModeSysinfoWithoutSysinfo_IsRefused() =>
        Assert.That(() => Map(string.Empty, "<smbios mode='sysinfo'/>"),
            Throws.InstanceOf<LaunchException>().With.Message.Contains("needs a <sysinfo type='smbios'>"));

    [TestCase("3")]
    [TestCase("1.256")]
    [TestCase("a.b")]
    public void Map_BadRelease_IsRefusedNamingTheEntry(string release) =>
        Assert.That(() => Map($"<sysinfo type='smbios'><bios><entry name='release'>{release}</entry></bios></sysinfo>", "<smbios mode='sysinfo'/>"),
            Throws.InstanceOf<LaunchException>().With.Message.Contains("sysinfo/bios/entry[@name='release']"));

    [Test]
    public void Map_StringTooLong_IsRefusedNamingTheEntry() =>
        Assert.That(() => Map($"<sysinfo type='smbios'><chassis><entry name='serial'>{new string('s', 5000)}</entry></chassis></sysinfo>", "<smbios mode='sysinfo'/>"),
            Throws.InstanceOf<LaunchException>().With.Message.Contains("sysinfo/chassis/entry[@name='serial']: 5000 bytes"));

    [Test]
    public void Map_TableTooLarge_IsRefused()
    {
        string entries = string.Concat(Enumerable.Repeat($"<entry>{new string('o', 4000)}</entry>", 20));

        Assert.That(() => Map($"<sysinfo type='smbios'><oemStrings>{entries}</oemStrings></sysinfo>", "<smbios mode='sysinfo'/>"),
            Throws.InstanceOf<LaunchException>().With.Message.Contains("the SMBIOS table would take"));
    }

    [Test]
    public void Map_EmptyOemString_IsRefusedNamingIt() =>
        Assert.That(() => Map("<sysinfo type='smbios'><oemStrings><entry>a</entry><entry></entry></oemStrings></sysinfo>", "<smbios mode='sysinfo'/>"),
            Throws.InstanceOf<LaunchException>().With.Message.Contains("sysinfo/oemStrings/entry[2]"));

    [Test]
    public void Map_ModeHost_CopiesBlocks0And1ButNotTheUuidNorUnreadableFields()
    {
        string dmi = Path.Combine(_directory, "dmi");
        Directory.CreateDirectory(dmi);
        File.WriteAllText(Path.Combine(dmi, "bios_vendor"), "Host BIOS Inc.\n");
        File.WriteAllText(Path.Combine(dmi, "bios_release"), "1.15\n");
        File.WriteAllText(Path.Combine(dmi, "sys_vendor"), "Host Maker\n");
        File.WriteAllText(Path.Combine(dmi, "product_name"), "Big Server\n");
        File.WriteAllText(Path.Combine(dmi, "product_uuid"), "ffffffff-ffff-ffff-ffff-ffffffffffff\n");
        File.WriteAllText(Path.Combine(dmi, "board_vendor"), "not copied\n");

        var config = Map(Sysinfo, "<smbios mode='host'/>", dmi);

        Assert.Multiple(() =>
        {
            Assert.That(config.BiosVendor, Is.EqualTo("Host BIOS Inc."));
            Assert.That(config.BiosRelease, Is.EqualTo(((byte)1, (byte)15)));
            Assert.That(config.SystemManufacturer, Is.EqualTo("Host Maker"));
            Assert.That(config.SystemProduct, Is.EqualTo("Big Server"));
            Assert.That(config.SystemSerial, Is.Null, "no product_serial file");
            Assert.That(config.BaseBoards, Is.Empty, "block 2 is not the host's");
            Assert.That(config.OemStrings, Is.Empty, "nor the sysinfo's");
        });
    }

    [Test]
    public void Map_ModeHostWithoutHostDmi_IsRefused() =>
        Assert.That(() => Map(string.Empty, "<smbios mode='host'/>", Path.Combine(_directory, "none")),
            Throws.InstanceOf<LaunchException>().With.Message.Contains("host's SMBIOS information is not available"));

    [Test]
    public void Plan_SysinfoDomain_ReachesTheMachineConfigWithItsMachineType()
    {
        string xml = Path.Combine(_directory, "guest.xml");
        File.WriteAllText(xml, Domain(Sysinfo, "<smbios mode='sysinfo'/>"));

        var plan = LaunchFromXml.Plan(xml, ignoreUnsupported: false, _ => { });

        using (plan.Serial)
        {
            Assert.That(plan.Machine.Smbios.SystemSerial, Is.EqualTo("ds=nocloud"));
            Assert.That(plan.Machine.MachineType, Is.EqualTo("pc-i440fx-7.2"));
            Assert.That(plan.Machine.Uuid, Is.EqualTo(Guid.Parse("01234567-89ab-cdef-0123-456789abcdef")));
        }
    }

    private static string Domain(string sysinfo, string smbios) => $"""
        <domain type='kvm'>
          <name>smbios-mapping</name>
          <uuid>01234567-89ab-cdef-0123-456789abcdef</uuid>
          <memory unit='MiB'>128</memory>
          {sysinfo}
          <os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type><kernel>/nonexistent/vmlinuz</kernel>{smbios}</os>
          <devices/>
        </domain>
        """;

    private static Kvm.Vmm.Firmware.Smbios.SmbiosConfig Map(string sysinfo, string smbios, string dmi = SmbiosMapping.HostDmiDirectory)
    {
        var definition = DomainXmlParser.Parse(Domain(sysinfo, smbios), "guest.xml", DomainParseFlags.Inactive).Definition;
        return SmbiosMapping.Map(definition, "guest.xml", dmi);
    }
}
