using Kvm.Vmm.Firmware;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>Loading a BIOS image: Debian's SeaBIOS builds where they are installed, and the files a user may name wrongly.</summary>
public sealed class BiosImageTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("bios-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [TestCase("/usr/share/seabios/bios-256k.bin", 256 << 10, 0xC0000UL)]
    [TestCase("/usr/share/seabios/bios.bin", 128 << 10, 0xE0000UL)]
    public void Load_DebiansSeaBios_MapsBelowFourGiBAndWholeBelowOneMiB(string path, int size, ulong low)
    {
        if (!File.Exists(path))
        {
            Assert.Ignore($"needs {path} (Debian's seabios package)");
        }

        var bios = BiosImage.Load(path);
        Assert.That(bios.Data, Has.Length.EqualTo(size));
        Assert.That(bios.HighAddress, Is.EqualTo((1UL << 32) - (ulong)size));
        Assert.That(bios.LowAddress, Is.EqualTo(low), "the whole image, ending at 1 MiB");
        Assert.That(bios.LowPart.Length, Is.EqualTo(size));
        // The reset vector (16 bytes below 4 GiB) holds a far jump (0xEA) in both aliases.
        Assert.That(bios.Data[^16], Is.EqualTo(0xEA));
        Assert.That(bios.LowPart.Span[^16], Is.EqualTo(0xEA));
    }

    [Test]
    public void Load_SmallImage_SitsWholeAtTheTopOfTheLegacyArea()
    {
        string path = Path.Combine(_dir, "small.bin");
        File.WriteAllBytes(path, new byte[64 << 10]);
        var bios = BiosImage.Load(path);
        Assert.That(bios.LowAddress, Is.EqualTo(0xF0000UL));
        Assert.That(bios.LowPart.Length, Is.EqualTo(64 << 10));
    }

    [Test]
    public void Load_BadFiles_SayWhichFileAndWhy()
    {
        string missing = Path.Combine(_dir, "missing.bin");
        Assert.That(Assert.Throws<FirmwareException>(() => BiosImage.Load(missing))!.Message, Is.EqualTo($"The firmware {missing} does not exist"));
        Assert.That(Assert.Throws<FirmwareException>(() => BiosImage.Load(_dir))!.Message, Is.EqualTo($"The firmware {_dir} is a directory, not a file"));
        string odd = Path.Combine(_dir, "odd.bin");
        File.WriteAllBytes(odd, new byte[100_000]);
        Assert.That(Assert.Throws<FirmwareException>(() => BiosImage.Load(odd))!.Message,
            Is.EqualTo($"The firmware {odd} is 100000 bytes: a BIOS image is a whole number of 64 KiB blocks, at most 16 MiB"));
        string empty = Path.Combine(_dir, "empty.bin");
        File.WriteAllBytes(empty, []);
        Assert.That(Assert.Throws<FirmwareException>(() => BiosImage.Load(empty))!.Message, Does.Contain("is 0 bytes"));
    }
}
