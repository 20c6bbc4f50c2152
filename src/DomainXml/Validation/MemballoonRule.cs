using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// The memory balloon is virtio-balloon (or none): Xen's balloon driver has no device model here
/// (qemuValidateDomainDeviceDefMemballoon).
/// </summary>
internal sealed class MemballoonRule : IDomainRule
{
    public XName[] Triggers { get; } = [XmlNames.Memballoon];

    public void Check(ValidationContext context)
    {
        if (context.Devices?.Element(XmlNames.Memballoon) is { } balloon
            && balloon.Attr(XmlNames.Model) is { } model && model is not ("none" or "virtio" or "virtio-transitional" or "virtio-non-transitional"))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                $"Memory balloon device type '{model}' is not supported by this version of qemu", balloon, "model");
        }
    }
}
