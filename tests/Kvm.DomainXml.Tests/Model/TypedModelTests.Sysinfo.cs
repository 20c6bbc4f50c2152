using NUnit.Framework;

namespace Kvm.DomainXml.Tests.Model;

/// <summary><c>&lt;sysinfo type='smbios'&gt;</c>: the blocks by entry name.</summary>
public sealed partial class TypedModelTests
{
    [Test]
    public void ParseSmbios_NoSysinfo_IsNull() => Assert.That(Parse(Domain()).Smbios, Is.Null);

    [Test]
    public void ParseSmbios_AllBlocks_AreTypedFirstEntryOfANameWins()
    {
        var smbios = Parse(Domain(head: """
            <sysinfo type='fwcfg'><entry name='opt/x'>y</entry></sysinfo>
            <sysinfo type='smbios'>
              <bios><entry name='vendor'>Acme</entry><entry name='vendor'>second</entry><entry name='date'>01/02/2026</entry></bios>
              <system><entry name='manufacturer'>Maker</entry><entry name='serial'></entry><entry name='family'>Fam</entry></system>
              <baseBoard><entry name='manufacturer'>B1</entry></baseBoard>
              <baseBoard><entry name='product'>P2</entry><entry name='location'>slot 2</entry></baseBoard>
              <chassis><entry name='asset'>A-1</entry></chassis>
              <oemStrings><entry>ds=nocloud</entry><entry>app:data</entry></oemStrings>
            </sysinfo>
            <sysinfo type='smbios'><bios><entry name='vendor'>ignored</entry></bios></sysinfo>
            """)).Smbios!;

        Assert.Multiple(() =>
        {
            Assert.That(smbios.Bios, Is.EquivalentTo(new Dictionary<string, string> { ["vendor"] = "Acme", ["date"] = "01/02/2026" }));
            Assert.That(smbios.System, Is.EquivalentTo(new Dictionary<string, string> { ["manufacturer"] = "Maker", ["family"] = "Fam" }), "an empty entry is no entry");
            Assert.That(smbios.BaseBoards, Has.Count.EqualTo(2));
            Assert.That(smbios.BaseBoards[0]["manufacturer"], Is.EqualTo("B1"));
            Assert.That(smbios.BaseBoards[1]["location"], Is.EqualTo("slot 2"));
            Assert.That(smbios.Chassis["asset"], Is.EqualTo("A-1"));
            Assert.That(smbios.OemStrings, Is.EqualTo(new[] { "ds=nocloud", "app:data" }));
        });
    }
}
