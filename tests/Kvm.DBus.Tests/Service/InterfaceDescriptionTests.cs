using Kvm.DBus.Service;

namespace Kvm.DBus.Tests.Service;

[TestFixture]
public sealed class InterfaceDescriptionTests
{
    private const string Xml = """
        <node>
          <interface name="org.libvirt.Domain">
            <method name="GetXMLDesc">
              <arg name="flags" type="u" direction="in"/>
              <arg name="xml" type="s" direction="out"/>
            </method>
            <method name="Create"><arg name="flags" type="u"/></method>
            <signal name="DeviceAdded"><arg name="device" type="s"/></signal>
            <property name="Name" type="s" access="read">
              <annotation name="org.freedesktop.DBus.Property.EmitsChangedSignal" value="const"/>
            </property>
            <property name="Autostart" type="b" access="readwrite"/>
          </interface>
        </node>
        """;

    [Test]
    public void ParseXml_LibvirtStyleInterface()
    {
        InterfaceDescription domain = InterfaceDescription.ParseXml(Xml).Single();
        Assert.That(domain.Name, Is.EqualTo("org.libvirt.Domain"));
        Assert.That(domain.FindMethod("GetXMLDesc")!.InSignature, Is.EqualTo("u"));
        Assert.That(domain.FindMethod("GetXMLDesc")!.OutSignature, Is.EqualTo("s"));
        Assert.That(domain.FindMethod("Create")!.InSignature, Is.EqualTo("u"));
        Assert.That(domain.Signals.Single().Args.Single().Signature, Is.EqualTo("s"));
        Assert.That(domain.FindProperty("Name"), Is.EqualTo(new PropertyDescription("Name", "s", PropertyAccess.Read, EmitsChanged: false)));
        Assert.That(domain.FindProperty("Autostart"), Is.EqualTo(new PropertyDescription("Autostart", "b", PropertyAccess.ReadWrite)));
    }

    [Test]
    public void Build_ThenParse_SameDescription()
    {
        InterfaceDescription original = InterfaceDescription.ParseXml(Xml).Single();
        InterfaceDescription again = InterfaceDescription.ParseXml(IntrospectionXml.Build([original], ["child"])).Single();
        Assert.That(again.Methods.Select(m => (m.Name, m.InSignature, m.OutSignature)), Is.EqualTo(original.Methods.Select(m => (m.Name, m.InSignature, m.OutSignature))));
        Assert.That(again.Properties.Select(p => (p.Name, p.Signature, p.Access)), Is.EqualTo(original.Properties.Select(p => (p.Name, p.Signature, p.Access))));
    }
}
