using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests.Model;

/// <summary>The device kinds with a typed view beyond full.xml's, and their parse-time errors.</summary>
public sealed partial class TypedModelTests
{
    [TestCase("<input type='mouse'/>", InputType.Mouse, InputBus.Ps2)]
    [TestCase("<input type='tablet'/>", InputType.Tablet, InputBus.Usb)]
    [TestCase("<input type='passthrough'><source evdev='/dev/input/event1'/></input>", InputType.Passthrough, InputBus.Virtio)]
    [TestCase("<input type='evdev'><source dev='/dev/input/event2' grab='all' repeat='on'/></input>", InputType.Evdev, InputBus.None)]
    [TestCase("<input type='keyboard' bus='virtio'/>", InputType.Keyboard, InputBus.Virtio)]
    public void ParseInput_BusGivenOrDefaulted(string xml, InputType type, InputBus bus)
    {
        var input = Parse(Domain(xml)).Devices.Inputs.Single();

        Assert.That(input.Type, Is.EqualTo(type));
        Assert.That(input.Bus, Is.EqualTo(bus));
    }

    [Test]
    public void ParseInput_MouseOnAarch64_DefaultsToUsb() =>
        Assert.That(Parse("<domain type='kvm'><name>t</name><memory>1048576</memory><os><type arch='aarch64' machine='virt'>hvm</type></os>" +
                          "<devices><input type='mouse'/></devices></domain>").Devices.Inputs.Single().Bus, Is.EqualTo(InputBus.Usb));

    [Test]
    public void ParseSoundAndAudio_AreTyped()
    {
        var devices = Parse(Domain("<sound model='ich9'><codec type='duplex'/><audio id='1'/></sound><audio id='1' type='pipewire' timerPeriod='50'/>")).Devices;

        Assert.That(devices.Sounds, Is.EqualTo(new[] { new SoundDef(SoundModel.Ich9, 1) }));
        Assert.That(devices.Audios, Is.EqualTo(new[] { new AudioDef(1, AudioType.Pipewire) { TimerPeriod = 50 } }));
    }

    [Test]
    public void ParseFilesystem_Virtiofs_IsTyped() =>
        Assert.That(Parse(Domain("<filesystem type='mount' accessmode='passthrough'><driver type='virtiofs' queue='1024'/>" +
                                 "<source dir='/srv/share'/><target dir='share'/><readonly/></filesystem>")).Devices.Filesystems,
            Is.EqualTo(new[]
            {
                new FilesystemDef
                {
                    Type = FilesystemType.Mount, AccessMode = FilesystemAccessMode.Passthrough, DriverType = FilesystemDriverType.Virtiofs,
                    Source = "/srv/share", TargetDir = "share", ReadOnly = true,
                },
            }));

    [Test]
    public void ParseHostdev_PciAndMdev_AreTyped()
    {
        var hostdevs = Parse(Domain(
            "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x06' slot='0x12' function='0x5'/></source></hostdev>" +
            "<hostdev mode='subsystem' type='mdev' model='vfio-pci'><source><address uuid='53764d0e-85a0-42b4-af5c-2046b460b1dc'/></source></hostdev>"))
            .Devices.Hostdevs;

        Assert.That(hostdevs[0], Is.EqualTo(new HostdevDef { Type = HostdevType.Pci, Managed = true, PciAddress = new HostPciAddress(0, 6, 0x12, 5) }));
        Assert.That(hostdevs[0].PciAddress!.Value.ToString(), Is.EqualTo("0000:06:12.5"));
        Assert.That(hostdevs[1], Is.EqualTo(new HostdevDef { Type = HostdevType.Mdev, MdevUuid = new Guid("53764d0e-85a0-42b4-af5c-2046b460b1dc") }));
    }

    [Test]
    public void ParseTpm_EmulatorAndPassthrough_AreTyped()
    {
        var tpms = Parse(Domain("<tpm model='tpm-crb'><backend type='emulator' version='2.0' persistent_state='yes'/></tpm>" +
                                "<tpm model='spapr-tpm-proxy'><backend type='passthrough'/></tpm>")).Devices.Tpms;

        Assert.That(tpms, Is.EqualTo(new[]
        {
            new TpmDef { Model = TpmModel.TpmCrb, Backend = TpmBackendType.Emulator, Version = TpmVersion.Version20, PersistentState = true },
            new TpmDef { Model = TpmModel.SpaprTpmProxy, Backend = TpmBackendType.Passthrough, Path = "/dev/tpm0" },
        }));
    }

    [Test]
    public void ParseIommu_DriverOptions_AreTyped() =>
        Assert.That(Parse(Domain("<iommu model='intel'><driver intremap='on' caching_mode='on' aw_bits='48'/></iommu>")).Devices.Iommu,
            Is.EqualTo(new IommuDef { Model = IommuModel.Intel, IntRemap = true, CachingMode = true, AwBits = 48 }));

    [Test]
    public void ParseRng_EgdBackend_KeepsItsChardev()
    {
        var rng = Parse(Domain("<rng model='virtio'><rate bytes='1234' period='2000'/><backend model='egd' type='unix'>" +
                               "<source mode='connect' path='/run/egd.sock'/></backend></rng>")).Devices.Rngs.Single();

        Assert.That(rng.Backend, Is.EqualTo(RngBackendModel.Egd));
        Assert.That(rng.SourceChardev, Is.EqualTo(new ChardevSource { Type = "unix", Path = "/run/egd.sock" }));
        Assert.That((rng.RateBytes, rng.RatePeriod), Is.EqualTo(((uint?)1234, (uint?)2000)));
    }

    [Test]
    public void ParseMemballoon_StatsAndSwitches_AreTyped() =>
        Assert.That(Parse(Domain("<memballoon model='virtio' autodeflate='on' freePageReporting='off'><stats period='10'/></memballoon>"))
                .Devices.Memballoon,
            Is.EqualTo(new MemballoonDef { Model = MemballoonModel.Virtio, Autodeflate = true, FreePageReporting = false, StatsPeriod = 10 }));

    [Test]
    public void ParseDevices_TypedKinds_AreNotOtherKinds() =>
        Assert.That(Parse(Domain("<watchdog model='itco'/><panic/><hub type='usb'/>")).Devices.OtherKinds, Is.EqualTo(new[] { "hub" }));

    [TestCase("<input type='joystick'/>", DomainXmlErrorKind.ConfigUnsupported,
        "unsupported configuration: unknown input device type 'joystick'", "/domain/devices/input/@type")]
    [TestCase("<input type='mouse' model='default'/>", DomainXmlErrorKind.ConfigUnsupported,
        "unsupported configuration: unknown input model 'default'", "/domain/devices/input/@model")]
    [TestCase("<input bus='usb'/>", DomainXmlErrorKind.InternalError, "internal error: missing input device type", "/domain/devices/input")]
    [TestCase("<sound model='sb17'/>", DomainXmlErrorKind.XmlError,
        "XML error: Invalid value for attribute 'model' in element 'sound': 'sb17'.", "/domain/devices/sound/@model")]
    [TestCase("<sound model='ac97'><audio id='0'/></sound>", DomainXmlErrorKind.XmlError,
        "XML error: Invalid value for attribute 'id' in element 'audio': Zero is not permitted", "/domain/devices/sound/audio/@id")]
    [TestCase("<audio id='1' type='esound'/>", DomainXmlErrorKind.XmlError,
        "XML error: Invalid value for attribute 'type' in element 'audio': 'esound'.", "/domain/devices/audio/@type")]
    [TestCase("<memballoon/>", DomainXmlErrorKind.XmlError,
        "XML error: Missing required attribute 'model' in element 'memballoon'", "/domain/devices/memballoon/@model")]
    [TestCase("<memballoon model='virtio'/><memballoon model='none'/>", DomainXmlErrorKind.InternalError,
        "internal error: only a single memory balloon device is supported", "/domain/devices/memballoon[2]")]
    [TestCase("<rng model='virtio'><backend model='hwrng'/></rng>", DomainXmlErrorKind.ConfigUnsupported,
        "unsupported configuration: unknown RNG backend model 'hwrng'", "/domain/devices/rng/backend/@model")]
    [TestCase("<rng model='virtio'/>", DomainXmlErrorKind.XmlError, "XML error: only one RNG backend is supported", "/domain/devices/rng")]
    [TestCase("<rng model='virtio'><backend model='egd'/></rng>", DomainXmlErrorKind.XmlError,
        "XML error: missing EGD backend type", "/domain/devices/rng/backend")]
    [TestCase("<watchdog model='i6300'/>", DomainXmlErrorKind.ConfigUnsupported,
        "unsupported configuration: unknown watchdog model 'i6300'", "/domain/devices/watchdog/@model")]
    [TestCase("<watchdog model='ib700' action='explode'/>", DomainXmlErrorKind.ConfigUnsupported,
        "unsupported configuration: unknown watchdog action 'explode'", "/domain/devices/watchdog/@action")]
    [TestCase("<watchdog/>", DomainXmlErrorKind.InternalError, "internal error: watchdog must contain model name", "/domain/devices/watchdog")]
    [TestCase("<panic model='kaboom'/>", DomainXmlErrorKind.ConfigUnsupported,
        "unsupported configuration: unknown panic model 'kaboom'", "/domain/devices/panic/@model")]
    [TestCase("<filesystem type='nfs'><source dir='/a'/><target dir='a'/></filesystem>", DomainXmlErrorKind.XmlError,
        "XML error: Invalid value for attribute 'type' in element 'filesystem': 'nfs'.", "/domain/devices/filesystem/@type")]
    [TestCase("<filesystem><driver type='9p'/><source dir='/a'/><target dir='a'/></filesystem>", DomainXmlErrorKind.XmlError,
        "XML error: Invalid value for attribute 'type' in element 'driver': '9p'.", "/domain/devices/filesystem/driver/@type")]
    [TestCase("<hostdev mode='subsystem' type='isa'><source/></hostdev>", DomainXmlErrorKind.ConfigUnsupported,
        "unsupported configuration: unknown host device source address type 'isa'", "/domain/devices/hostdev/@type")]
    [TestCase("<hostdev mode='capabilities' type='pci'><source/></hostdev>", DomainXmlErrorKind.ConfigUnsupported,
        "unsupported configuration: unknown host device source address type 'pci'", "/domain/devices/hostdev/@type")]
    [TestCase("<hostdev mode='passthrough' type='pci'><source/></hostdev>", DomainXmlErrorKind.ConfigUnsupported,
        "unsupported configuration: unknown hostdev mode 'passthrough'", "/domain/devices/hostdev/@mode")]
    [TestCase("<hostdev mode='subsystem' type='pci'/>", DomainXmlErrorKind.XmlError,
        "XML error: Missing <source> element in hostdev device", "/domain/devices/hostdev")]
    [TestCase("<hostdev mode='subsystem' type='pci' model='vfio-pci'><source/></hostdev>", DomainXmlErrorKind.XmlError,
        "XML error: 'model' attribute in <hostdev> is only supported when type='pci'", "/domain/devices/hostdev/@model")]
    [TestCase("<hostdev mode='subsystem' type='mdev' model='vfio-pci'><source/></hostdev>", DomainXmlErrorKind.ConfigUnsupported,
        "unsupported configuration: Missing <address> element", "/domain/devices/hostdev/source")]
    [TestCase("<tpm model='tpm-tis'><backend type='swtpm'/></tpm>", DomainXmlErrorKind.XmlError,
        "XML error: Invalid value for attribute 'type' in element 'backend': 'swtpm'.", "/domain/devices/tpm/backend/@type")]
    [TestCase("<tpm model='tpm-tis'><backend type='emulator'/><backend type='emulator'/></tpm>", DomainXmlErrorKind.XmlError,
        "XML error: only one TPM backend is supported", "/domain/devices/tpm/backend[2]")]
    [TestCase("<tpm><backend type='emulator' version='3.0'/></tpm>", DomainXmlErrorKind.XmlError,
        "XML error: Invalid value for attribute 'version' in element 'backend': '3.0'.", "/domain/devices/tpm/backend/@version")]
    [TestCase("<tpm><backend type='passthrough'/></tpm><tpm><backend type='passthrough'/></tpm><tpm><backend type='passthrough'/></tpm>",
        DomainXmlErrorKind.XmlError, "XML error: a maximum of two TPM devices is supported, one of them being a TPM Proxy device",
        "/domain/devices/tpm[3]")]
    [TestCase("<vsock model='virtio'><cid address='0'/></vsock>", DomainXmlErrorKind.XmlError,
        "XML error: Invalid value for attribute 'address' in element 'cid': Zero is not permitted", "/domain/devices/vsock/cid/@address")]
    [TestCase("<vsock/><vsock/>", DomainXmlErrorKind.XmlError, "XML error: only a single vsock device is supported", "/domain/devices/vsock[2]")]
    [TestCase("<iommu model='amd'/>", DomainXmlErrorKind.XmlError,
        "XML error: Invalid value for attribute 'model' in element 'iommu': 'amd'.", "/domain/devices/iommu/@model")]
    [TestCase("<iommu model='intel'><driver intremap='yes'/></iommu>", DomainXmlErrorKind.XmlError,
        "XML error: Invalid value for attribute 'intremap' in element 'driver': 'yes'.", "/domain/devices/iommu/driver/@intremap")]
    [TestCase("<iommu model='intel'/><iommu model='intel'/>", DomainXmlErrorKind.XmlError,
        "XML error: only a single IOMMU device is supported", "/domain/devices/iommu[2]")]
    public void ParseDevice_Invalid_IsRejected(string devices, DomainXmlErrorKind kind, string message, string path) =>
        AssertRejected(Domain(devices), kind, message, path);
}
