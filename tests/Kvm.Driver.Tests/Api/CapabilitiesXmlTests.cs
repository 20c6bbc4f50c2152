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
}
