using Kvm.Vmm.Interop;
using Kvm.Vmm.Launch;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>A domain's serial port (or serial console) onto COM1's host end, through kvm-vmm's --domain-xml path.</summary>
public sealed class DomainMappingTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("kvm-mapping-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Map_UnixSerialInBindMode_ListensOnThePathUntilDisposed()
    {
        string socket = Path.Combine(_directory, "console.sock");
        var plan = Plan($"<serial type='unix'><source mode='bind' path='{socket}'/><target port='0'/></serial>");

        using (plan.Serial)
        {
            Assert.Multiple(() =>
            {
                Assert.That(Stat.IsSocket(socket), Is.True);
                Assert.That(plan.Serial.QemuFilename, Is.EqualTo($"disconnected:unix:{socket},server=on"));
                Assert.That(plan.Serial.Input, Is.Not.Null);
                Assert.That(plan.SerialLabel, Is.EqualTo("charserial0"));
            });
        }

        Assert.That(File.Exists(socket), Is.False, "the socket file is removed at exit");
    }

    [Test]
    public void Map_UnixSerialInConnectModeWithoutServer_IsRefusedWithThePath()
    {
        string socket = Path.Combine(_directory, "server.sock");

        Assert.That(() => Plan($"<serial type='unix'><source mode='connect' path='{socket}'/></serial>"),
            Throws.InstanceOf<LaunchException>().With.Message.Contains(socket));
    }

    [Test]
    public void Map_SerialConsoleWithoutSerial_IsCom1()
    {
        string socket = Path.Combine(_directory, "console.sock");
        var plan = Plan($"<console type='unix'><source mode='bind' path='{socket}'/><target type='serial' port='0'/></console>");

        using (plan.Serial)
        {
            Assert.That(plan.Serial.QemuFilename, Is.EqualTo($"disconnected:unix:{socket},server=on"));
        }
    }

    [Test]
    public void Map_FileSerial_QueryChardevSaysFile()
    {
        string log = Path.Combine(_directory, "console.log");
        var plan = Plan($"<serial type='file'><source path='{log}'/></serial>");

        using (plan.Serial)
        {
            Assert.That(plan.Serial.QemuFilename, Is.EqualTo("file"));
        }
    }

    [Test]
    public void Map_UnsupportedSerialType_SaysWhatIsSupported()
    {
        Assert.That(() => Plan("<serial type='tcp'><source mode='bind' host='127.0.0.1' service='4555'/></serial>"),
            Throws.InstanceOf<LaunchException>().With.Message.EqualTo(
                "serial type 'tcp' is not supported yet (pty, file, stdio, null, and unix with a source path in mode 'bind' or 'connect' are)"));
    }

    [Test]
    public void Map_UnsupportedDevices_AreNamedAsTheXmlSpellsThem()
    {
        Assert.That(() => Plan("<input type='tablet' bus='usb'/><memballoon model='virtio' freePageReporting='on'/>"),
            Throws.InstanceOf<LaunchException>().With.Message.Contains("input type 'tablet' on bus 'usb', memballoon with freePageReporting='on'"));
    }

    [Test]
    public void Map_Memballoon_VirtioBalloonWithDeflateOnOomStatsPeriodAndSlot()
    {
        var plan = Plan("<memballoon model='virtio' autodeflate='on'><stats period='10'/>"
            + "<address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/></memballoon>");
        var balloon = plan.Machine.Balloon!;
        Assert.That((balloon.Device.Name, balloon.Device.DeflateOnOom, balloon.Device.StatsPeriodSeconds, balloon.Slot),
            Is.EqualTo(("balloon0", true, 10u, (byte?)7)));
    }

    [TestCase("<memballoon model='none'/>")]
    [TestCase("")]
    public void Map_NoneOrNoMemballoon_NoBalloon(string devices) => Assert.That(Plan(devices).Machine.Balloon, Is.Null);

    [Test]
    public void Map_VirtioDisks_GetLibvirtsAliasesAndNodeNumbersInXmlOrder()
    {
        string first = Path.Combine(_directory, "b.raw");
        string second = Path.Combine(_directory, "a.raw");
        File.WriteAllBytes(first, new byte[1 << 16]);
        File.WriteAllBytes(second, new byte[1 << 16]);
        var plan = Plan($"""
            <disk type='file' device='disk'><driver name='qemu' type='raw' cache='none'/><source file='{first}'/><target dev='vdb' bus='virtio'/></disk>
            <disk type='file' device='disk'><driver name='qemu' type='raw' cache='unsafe'/><source file='{second}'/><target dev='vda' bus='virtio'/></disk>
            """);
        try
        {
            var infos = plan.Machine.Disks.Select(d => d.Monitor!).ToList();
            Assert.That(infos.Select(i => (i.DeviceId, i.NodeIndex)), Is.EqualTo(new[] { ("virtio-disk1", 1), ("virtio-disk0", 2) }));
            Assert.That(infos.Select(i => (i.Direct, i.NoFlush)), Is.EqualTo(new[] { (true, false), (false, true) }));
        }
        finally
        {
            foreach (var disk in plan.Machine.Disks)
            {
                disk.Backend.Dispose();
            }
        }
    }

    [TestCase("vda", "virtio-disk0")]
    [TestCase("vdz", "virtio-disk25")]
    [TestCase("vdaa", "virtio-disk26")]
    [TestCase("vdab", "virtio-disk27")]
    public void Alias_TargetName_IsLibvirtsDiskIndex(string target, string alias)
    {
        Assert.That(DiskMapping.Alias(target), Is.EqualTo(alias));
    }

    [Test]
    public void Map_FwCfgEntries_TheTextOrTheFileBecomeFwCfgFiles()
    {
        string blob = Path.Combine(_directory, "blob.bin");
        File.WriteAllBytes(blob, [0, 1, 2, 255]);
        var plan = Plan("", $"""
            <sysinfo type='fwcfg'>
              <entry name='opt/com.example/text'>hello world</entry>
              <entry name='opt/com.example/blob' file='{blob}'/>
            </sysinfo>
            """);
        using (plan.Serial)
        {
            Assert.That(plan.Machine.FwCfgFiles.Select(f => f.Key), Is.EqualTo(new[] { "opt/com.example/text", "opt/com.example/blob" }));
            Assert.That(plan.Machine.FwCfgFiles[0].Value, Is.EqualTo("hello world"u8.ToArray()), "the text, without a NUL");
            Assert.That(plan.Machine.FwCfgFiles[1].Value, Is.EqualTo(new byte[] { 0, 1, 2, 255 }));
            Assert.That(plan.Machine.Uuid, Is.Not.EqualTo(Guid.Empty), "the domain's UUID");
        }
    }

    [Test]
    public void Map_FwCfgEntryWithAMissingFile_IsRefusedWithTheEntryAndThePath()
    {
        string missing = Path.Combine(_directory, "missing.bin");
        Assert.That(() => Plan("", $"<sysinfo type='fwcfg'><entry name='opt/com.example/x' file='{missing}'/></sysinfo>"),
            Throws.InstanceOf<LaunchException>().With.Message.Contains("opt/com.example/x").And.Message.Contains(missing));
    }

    [Test]
    public void Map_NoKernelNoLoader_BootsSeaBiosWithTheDisksInXmlOrder()
    {
        var plan = Plan(TwoDisks(), os: "<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>");
        using var _ = Closing(plan);
        Assert.That(plan.Machine.KernelPath, Is.Null);
        Assert.That(plan.Machine.FirmwarePath, Is.EqualTo(Kvm.Vmm.Support.VmmSupport.DefaultBios));
        Assert.That(plan.Machine.BootDisks, Is.EqualTo(new[] { 0, 1 }));
    }

    [Test]
    public void Map_PerDeviceBootOrder_DecidesTheFirmwaresOrder()
    {
        var plan = Plan(TwoDisks("<boot order='2'/>", "<boot order='1'/>"), os: "<os><type arch='x86_64'>hvm</type></os>");
        using var _ = Closing(plan);
        Assert.That(plan.Machine.BootDisks, Is.EqualTo(new[] { 1, 0 }));
    }

    [Test]
    public void Map_BootFromNetworkOnly_LeavesTheOrderToTheFirmware()
    {
        var plan = Plan(TwoDisks(), os: "<os><type arch='x86_64'>hvm</type><boot dev='network'/></os>");
        using var _ = Closing(plan);
        Assert.That(plan.Machine.BootDisks, Is.Empty);
    }

    [TestCase("<bootmenu enable='yes' timeout='3000'/>", true, 3000)]
    [TestCase("<bootmenu enable='yes'/>", true, null)]
    [TestCase("<bootmenu enable='no'/>", false, null)]
    [TestCase("", false, null)]
    public void Map_BootMenu_IsOfferedAsTheXmlSays(string bootMenu, bool offered, int? wait)
    {
        var plan = Plan("", os: $"<os><type arch='x86_64'>hvm</type><boot dev='hd'/>{bootMenu}</os>");
        Assert.That((plan.Machine.BootMenu, (int?)plan.Machine.BootMenuWaitMilliseconds), Is.EqualTo((offered, wait)));
    }

    [TestCase("", -1)]
    [TestCase("<bios rebootTimeout='5000'/>", 5000)]
    [TestCase("<bios rebootTimeout='-1'/>", -1)]
    public void Map_BiosRebootTimeout_IsHowLongTheBiosWaitsBeforeRetrying(string bios, int wait)
    {
        var plan = Plan("", os: $"<os><type arch='x86_64'>hvm</type><boot dev='hd'/>{bios}</os>");
        Assert.That(plan.Machine.BootFailWaitMilliseconds, Is.EqualTo(wait));
    }

    [Test]
    public void Map_RomLoader_IsTheBiosImage()
    {
        var plan = Plan("", os: "<os><type arch='x86_64'>hvm</type><loader type='rom'>/usr/share/seabios/bios.bin</loader></os>");
        Assert.That(plan.Machine.FirmwarePath, Is.EqualTo("/usr/share/seabios/bios.bin"));
        Assert.That(plan.Machine.KernelPath, Is.Null);
    }

    [TestCase("<os firmware='efi'><type arch='x86_64'>hvm</type></os>", "firmware='efi' without a <loader>")]
    [TestCase("<os><type arch='x86_64'>hvm</type><loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader></os>", "without <nvram>")]
    [TestCase("<os><type arch='x86_64' machine='q35'>hvm</type><loader readonly='yes' secure='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.secboot.fd</loader><nvram>/tmp/x.fd</nvram></os>", "secure='yes'", "<smm state='on'/>")]
    [TestCase("<os><type arch='x86_64'>hvm</type><loader>/usr/share/seabios/bios.bin</loader><kernel>/vmlinuz</kernel></os>", "both <kernel> and <loader>")]
    public void Map_BootsKvmVmmCannotDoYet_AreRefusedByName(string os, string named, string features = "")
    {
        Assert.That(() => Plan("", $"<features><acpi/>{features}</features>", os), Throws.InstanceOf<LaunchException>().With.Message.Contains("not supported by kvm-vmm yet").And.Message.Contains(named));
    }

    [TestCase("", true)]
    [TestCase("<clock offset='utc'><timer name='rtc' tickpolicy='catchup'/></clock>", true)]
    [TestCase("<clock offset='utc'><timer name='pit' tickpolicy='delay'/></clock>", true)]
    [TestCase("<clock offset='utc'><timer name='pit' tickpolicy='catchup'/></clock>", true)]
    [TestCase("<clock offset='utc'><timer name='pit' tickpolicy='discard'/></clock>", false)]
    public void Map_PitTickPolicy_DecidesWhetherMissedTicksAreReinjected(string clock, bool reinject)
    {
        Assert.That(Plan("", clock).Machine.PitReinject, Is.EqualTo(reinject));
    }

    [Test]
    public void Map_PitTickPolicyMerge_IsRefusedWithLibvirtsMessage()
    {
        Assert.That(() => Plan("", "<clock offset='utc'><timer name='pit' tickpolicy='merge'/></clock>"),
            Throws.Exception.With.Message.Contains("unsupported pit tickpolicy 'merge'"));
    }

    [Test]
    public void Map_PflashLoaderWithNvramTemplate_CreatesTheStoreOnceFromTheTemplate()
    {
        string template = Path.Combine(_directory, "VARS_template.fd");
        string nvram = Path.Combine(_directory, "guest_VARS.fd");
        File.WriteAllBytes(template, [.. Enumerable.Repeat((byte)0x5a, 8192)]);
        string os = $"<os><type arch='x86_64'>hvm</type><loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader><nvram template='{template}'>{nvram}</nvram></os>";

        var plan = Plan("", "<features><acpi/></features>", os);

        Assert.That(plan.Machine.FirmwarePath, Is.EqualTo("/usr/share/OVMF/OVMF_CODE_4M.fd"));
        Assert.That(plan.Machine.NvramPath, Is.EqualTo(nvram));
        Assert.That(File.ReadAllBytes(nvram), Is.EqualTo(File.ReadAllBytes(template)));
        Assert.That(OperatingSystem.IsWindows() ? UnixFileMode.None : File.GetUnixFileMode(nvram) & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite), Is.EqualTo(UnixFileMode.None), "readable and writable by its owner only");
        Assert.That(Directory.GetFiles(_directory, "*.tmp"), Is.Empty, "no partial file left behind");

        // A variable the guest wrote is in the store: a second start keeps it rather than copying the template again.
        File.WriteAllBytes(nvram, [.. Enumerable.Repeat((byte)0x11, 8192)]);
        Plan("", "<features><acpi/></features>", os);
        Assert.That(File.ReadAllBytes(nvram), Is.All.EqualTo(0x11));
    }

    [Test]
    public void Map_MissingNvramWithoutTemplate_IsRefusedWithThePath()
    {
        string nvram = Path.Combine(_directory, "absent_VARS.fd");
        string os = $"<os><type arch='x86_64'>hvm</type><loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader><nvram>{nvram}</nvram></os>";

        Assert.That(() => Plan("", "<features><acpi/></features>", os),
            Throws.InstanceOf<LaunchException>().With.Message.Contains(nvram).And.Message.Contains("no template"));
        Assert.That(File.Exists(nvram), Is.False);
    }

    private string TwoDisks(string firstBoot = "", string secondBoot = "")
    {
        string first = Path.Combine(_directory, "one.raw");
        string second = Path.Combine(_directory, "two.raw");
        File.WriteAllBytes(first, new byte[1 << 16]);
        File.WriteAllBytes(second, new byte[1 << 16]);
        return $"""
            <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='{first}'/><target dev='vda' bus='virtio'/>{firstBoot}</disk>
            <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='{second}'/><target dev='vdb' bus='virtio'/>{secondBoot}</disk>
            """;
    }

    private static DisksClosed Closing(LaunchPlan plan) => new(plan);

    [TestCase(null, Kvm.Vmm.Machine.Chipset.I440fx)]
    [TestCase("pc", Kvm.Vmm.Machine.Chipset.I440fx)]
    [TestCase("pc-i440fx-7.2", Kvm.Vmm.Machine.Chipset.I440fx)]
    [TestCase("q35", Kvm.Vmm.Machine.Chipset.Q35)]
    [TestCase("pc-q35-7.2", Kvm.Vmm.Machine.Chipset.Q35)]
    [TestCase("pc-q35-2.12", Kvm.Vmm.Machine.Chipset.Q35)]
    public void Map_MachineType_PicksTheChipset(string? machine, Kvm.Vmm.Machine.Chipset expected)
    {
        string type = machine is null ? "<type arch='x86_64'>hvm</type>" : $"<type arch='x86_64' machine='{machine}'>hvm</type>";
        var plan = Plan(string.Empty, os: $"<os>{type}<kernel>/nonexistent/vmlinuz</kernel></os>");
        using (plan.Serial)
        {
            Assert.That(plan.Machine.Chipset, Is.EqualTo(expected));
        }
    }

    private LaunchPlan Plan(string serial, string outside = "", string os = "<os><type arch='x86_64'>hvm</type><kernel>/nonexistent/vmlinuz</kernel></os>")
    {
        string xml = Path.Combine(_directory, "guest.xml");
        File.WriteAllText(xml, $"""
            <domain type='kvm'>
              <name>serial-mapping</name>
              <memory unit='MiB'>128</memory>
              {os}
              {outside}
              <devices>
                {serial}
              </devices>
            </domain>
            """);
        return LaunchFromXml.Plan(xml, ignoreUnsupported: false, _ => { });
    }

    private sealed class DisksClosed(LaunchPlan plan) : IDisposable
    {
        public void Dispose()
        {
            foreach (var disk in plan.Machine.Disks)
            {
                disk.Backend.Dispose();
            }
        }
    }
}
