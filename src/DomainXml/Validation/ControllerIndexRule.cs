using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Two controllers of one type cannot share an index (libvirt's virDomainDefRejectDuplicateControllers). USB is the
/// exception: an EHCI controller and its UHCI companions share their index on purpose.
/// </summary>
internal sealed class ControllerIndexRule : IDomainRule
{
    public void Check(ValidationContext context)
    {
        var seen = new HashSet<(string Type, int Index)>();
        foreach (var controller in context.Devices?.Elements(XmlNames.Controller) ?? [])
        {
            string type = controller.Attr(XmlNames.Type) ?? "ide";
            if (type == "usb" || controller.Int(XmlNames.Index) is not { } index)
            {
                continue;
            }

            if (!seen.Add((type, index)))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"Multiple '{type}' controllers with index '{index}'", controller, "index");
            }
        }
    }
}
