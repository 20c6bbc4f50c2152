using System.Xml.Linq;
using Kvm.Driver.Api;
using Kvm.Vmm.Support;

namespace Kvm.Driver.Tests.Api;

/// <summary>The domain capabilities kvmd reports say what kvm-vmm runs: they come from the description kvm-vmm refuses by.</summary>
public sealed class CapabilitiesXmlTests
{
    [Test]
    public void DomainCapabilities_DiskAndRngEnums_AreTheVmmsSupportDescription()
    {
        var caps = XElement.Parse(CapabilitiesXml.DomainCapabilities("", "", "", "", new KvmdApiOptions()));
        string[] Values(string device, string name) =>
            [.. caps.Element("devices")!.Element(device)!.Elements("enum").Single(e => (string?)e.Attribute("name") == name).Elements("value").Select(v => v.Value)];

        Assert.That(Values("disk", "diskDevice"), Is.EqualTo(VmmSupport.DiskDevices));
        Assert.That(Values("disk", "bus"), Is.EqualTo(VmmSupport.DiskBuses));
        Assert.That(Values("disk", "model"), Is.EqualTo(VmmSupport.DiskModels));
        Assert.That(Values("rng", "model"), Is.EqualTo(VmmSupport.RngModels));
        Assert.That(Values("rng", "backendModel"), Is.EqualTo(VmmSupport.RngBackends));
        Assert.That(caps.Element("machine")!.Value, Is.EqualTo(VmmSupport.Machine));
    
    }

    [Test]
    public void DomainCapabilities_Loader_IsTheBiosKvmVmmBootsByDefault()
    {
        var caps = XElement.Parse(CapabilitiesXml.DomainCapabilities("", "", "", "", new KvmdApiOptions()));
        var loader = caps.Element("os")!.Element("loader")!;
        Assert.That((string?)loader.Attribute("supported"), Is.EqualTo("yes"));
        Assert.That(loader.Element("value")!.Value, Is.EqualTo(VmmSupport.DefaultBios));
        Assert.That(loader.Elements("enum").Single(e => (string?)e.Attribute("name") == "type").Elements("value").Select(v => v.Value), Is.EqualTo(VmmSupport.LoaderTypes));
    }

    [Test]
    public void DomainCapabilities_WithDebiansOvmf_OffersEfiAndTheBuildWithoutSmm()
    {
        if (!File.Exists("/usr/share/qemu/firmware/60-edk2-x86_64.json"))
        {
            Assert.Ignore("needs /usr/share/qemu/firmware/60-edk2-x86_64.json (Debian's ovmf package)");
        }

        var caps = XElement.Parse(CapabilitiesXml.DomainCapabilities("", "", "", "", new KvmdApiOptions()));
        var os = caps.Element("os")!;
        Assert.That(os.Elements("enum").Single(e => (string?)e.Attribute("name") == "firmware").Elements("value").Select(v => v.Value), Is.EqualTo(new[] { "efi" }));
        Assert.That(os.Element("loader")!.Elements("value").Select(v => v.Value),
            Is.EqualTo(new[] { VmmSupport.DefaultBios, "/usr/share/OVMF/OVMF_CODE_4M.fd" }), "the secure-boot builds need SMM, which kvm-vmm lacks");
    }
}
