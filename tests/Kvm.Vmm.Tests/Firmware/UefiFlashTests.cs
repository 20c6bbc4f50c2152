using Kvm.Vmm.Bus;
using Kvm.Vmm.Firmware;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Firmware;

/// <summary>
/// The UEFI flash pair (<see cref="UefiBoot"/>, <see cref="CfiFlash"/>) driven with the command sequences OVMF's flash
/// driver writes: its detection probe, byte programs and block erases, each checked in the NVRAM file.
/// </summary>
public sealed class UefiFlashTests
{
    private const ulong FourGiB = 0x1_0000_0000;
    private const int CodeSize = 3 * CfiFlash.BlockSize;
    private const int VarsSize = CfiFlash.BlockSize * 5; // with the code: 32 KiB

    private string _directory = null!;
    private string _code = null!;
    private string _vars = null!;
    private RecordingVm _vm = null!;
    private MmioBus _mmio = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("kvm-flash-").FullName;
        _code = Path.Combine(_directory, "CODE.fd");
        _vars = Path.Combine(_directory, "guest_VARS.fd");
        File.WriteAllBytes(_code, [.. Enumerable.Range(0, CodeSize).Select(i => (byte)i)]);
        var vars = new byte[VarsSize];
        vars.AsSpan(0, 16).Fill(0x5a); // a header; zeros follow, where OVMF probes
        File.WriteAllBytes(_vars, vars);
        _vm = new RecordingVm();
        _mmio = new MmioBus();
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    private static ulong VarsBase => FourGiB - CodeSize - (ulong)VarsSize;

    [Test]
    public void Load_CodeEndsAtFourGiBWithTheVariablesBelow_BothReadOnlyInTheGuest()
    {
        using var boot = UefiBoot.Load(_vm, _mmio, _code, _vars);

        Assert.That(boot.Code.Base, Is.EqualTo(FourGiB - CodeSize));
        Assert.That(boot.Variables.Base, Is.EqualTo(VarsBase));
        Assert.That(_vm.ReadOnlyMapped, Is.EquivalentTo(new[] { FourGiB - CodeSize, VarsBase }));
        Assert.That(boot.Code.Writable, Is.False);
        Assert.That(boot.Variables.Writable, Is.True);
        Assert.That(Read(FourGiB - 1), Is.EqualTo(unchecked((byte)(CodeSize - 1))), "the reset vector's page is the file's last bytes");
    }

    [Test]
    public void OvmfProbe_AsQemuFlashDetectedRunsIt_FindsAWritableFlash()
    {
        using var boot = UefiBoot.Load(_vm, _mmio, _code, _vars);
        ulong probe = VarsBase; // OVMF probes the first byte that reads as none of 0x00, 0x50 and 0x70: the header's
        byte original = Read(probe);
        Assert.That(original, Is.EqualTo(0x5a));

        Write(probe, 0x50); // clear status: back in read-array mode, the byte reads as before (RAM would read 0x50)
        Assert.That(Read(probe), Is.EqualTo(original));
        Write(probe, 0x70); // read status: the cleared register (anything else and OVMF keeps its variables in RAM)
        Assert.That(Read(probe), Is.EqualTo(0x00));
        Write(probe, 0x10); // program the byte with its own value, then read status: no programming error (0x10)
        Write(probe, original);
        Write(probe, 0x70);
        Assert.That(Read(probe), Is.EqualTo(0x80), "ready, no error: a writable flash");
        Write(probe, 0xff); // read array

        Assert.That(Read(probe), Is.EqualTo(original));
        Assert.That(ReadFile().Take(16), Is.All.EqualTo(0x5a), "the answers never reach the file");
        Assert.That(_vm.ReadOnlyMapped, Does.Contain(VarsBase), "the flash stays mapped through commands");
    }

    [Test]
    public void ProgramByte_ChangesTheStoreAndTheFile_StatusUntilReadArray()
    {
        using var boot = UefiBoot.Load(_vm, _mmio, _code, _vars);
        ulong at = VarsBase + 0x1234;

        Write(at, 0x10);
        Write(at, 0xab);
        Write(at, 0x70);
        Assert.That(Read(at), Is.EqualTo(0x80), "status after programming: ready");
        Write(at, 0xff);

        Assert.That(Read(at), Is.EqualTo(0xab));
        Assert.That(ReadFile()[0x1234], Is.EqualTo(0xab));
        Assert.That(_vm.ReadOnlyMapped, Does.Contain(VarsBase));
    }

    [Test]
    public void BlockErase_FillsTheWholeBlockWithOnes_InTheFileToo()
    {
        using var boot = UefiBoot.Load(_vm, _mmio, _code, _vars);

        Write(VarsBase + 0x8, 0x20);
        Write(VarsBase + 0x8, 0xd0);
        Write(VarsBase + 0x8, 0xff);

        byte[] file = ReadFile();
        Assert.That(file.Take(CfiFlash.BlockSize), Is.All.EqualTo(0xff));
        Assert.That(file.Skip(CfiFlash.BlockSize), Is.All.EqualTo(0x00), "the next block is untouched");
        Assert.That(Read(VarsBase), Is.EqualTo(0xff));
    }

    [Test]
    public void EraseWithoutConfirm_ChangesNothingAndReportsAnError()
    {
        using var boot = UefiBoot.Load(_vm, _mmio, _code, _vars);

        Write(VarsBase, 0x20);
        Write(VarsBase, 0x77);
        Write(VarsBase, 0x70);
        Assert.That(Read(VarsBase) & 0x20, Is.EqualTo(0x20), "erase error in the status");
        Write(VarsBase, 0x50);
        Write(VarsBase, 0x70);
        Assert.That(Read(VarsBase), Is.EqualTo(0x00), "clear status clears the error (and the ready bit, until the next operation)");
        Write(VarsBase, 0xff);

        Assert.That(ReadFile().Take(16), Is.All.EqualTo(0x5a));
    }

    [Test]
    public void ReadIdentifier_AnswersIntelAtEvenAddressesAndTheDeviceAtOdd()
    {
        using var boot = UefiBoot.Load(_vm, _mmio, _code, _vars);

        Write(VarsBase + 0x20, 0x90);
        Assert.That(Read(VarsBase + 0x20), Is.EqualTo(0x89));
        Write(VarsBase + 0x21, 0x90);
        Assert.That(Read(VarsBase + 0x21), Is.EqualTo(0x18));
        Assert.That(Read(VarsBase + 0x20), Is.EqualTo(0x00), "the earlier answer was taken back");
        Write(VarsBase + 0x21, 0xff);
        Assert.That(Read(VarsBase + 0x21), Is.EqualTo(0x00));
    }

    [Test]
    public void CodeFlash_IgnoresWritesAndStaysMapped()
    {
        using var boot = UefiBoot.Load(_vm, _mmio, _code, _vars);
        ulong at = FourGiB - CodeSize + 7;

        Write(at, 0x10);
        Write(at, 0x00);
        Write(at, 0x20);
        Write(at, 0xd0);

        Assert.That(Read(at), Is.EqualTo(7));
        Assert.That(File.ReadAllBytes(_code)[7], Is.EqualTo(7));
    }

    [Test]
    public void Load_VariablesThatDoNotMatchTheCode_IsRefusedNamingBoth()
    {
        File.WriteAllBytes(_vars, new byte[2 * CfiFlash.BlockSize]); // 12 + 8 KiB is no flash size

        Assert.That(() => UefiBoot.Load(_vm, _mmio, _code, _vars),
            Throws.InstanceOf<FirmwareException>().With.Message.Contains(_vars).And.Message.Contains(_code).And.Message.Contains("does not match"));
        Assert.That(_vm.ReadOnlyMapped, Is.Empty);
    }

    [TestCase("code")]
    [TestCase("vars")]
    public void Load_MissingFile_IsRefusedNamingIt(string which)
    {
        string missing = Path.Combine(_directory, "absent.fd");
        Assert.That(() => UefiBoot.Load(_vm, _mmio, which == "code" ? missing : _code, which == "vars" ? missing : _vars),
            Throws.InstanceOf<FirmwareException>().With.Message.Contains(missing).And.Message.Contains("does not exist"));
    }

    [Test]
    public void Load_CodeOfAnOddSize_IsRefused()
    {
        File.WriteAllBytes(_code, new byte[CodeSize + 1]);
        Assert.That(() => UefiBoot.Load(_vm, _mmio, _code, _vars),
            Throws.InstanceOf<FirmwareException>().With.Message.Contains(_code).And.Message.Contains("4 KiB blocks"));
    }

    private byte Read(ulong address)
    {
        Span<byte> data = stackalloc byte[1];
        Assert.That(_mmio.Read(address, data), Is.True, $"0x{address:x} is flash");
        return data[0];
    }

    private void Write(ulong address, byte value) => _mmio.Write(address, [value]);

    private byte[] ReadFile()
    {
        using var stream = new FileStream(_vars, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var data = new byte[stream.Length];
        stream.ReadExactly(data);
        return data;
    }
}
