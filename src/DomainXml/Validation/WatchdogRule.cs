using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Watchdogs are where their hardware is: the i6300ESB is a PCI card; the IB700 is an ISA card of PC machines at a
/// fixed port; diag288 is s390's firmware watchdog and the iTCO is part of the Q35 chipset, neither on any bus
/// (qemuValidateDomainWatchdogDef).
/// </summary>
internal sealed class WatchdogRule : IDomainRule
{
    public XName[] Triggers { get; } = [XmlNames.Watchdog];

    public void Check(ValidationContext context)
    {
        var machine = context.Machine;
        foreach (var watchdog in context.Devices?.Elements(XmlNames.Watchdog) ?? [])
        {
            string? model = watchdog.Attr(XmlNames.Model);
            var address = watchdog.Element(XmlNames.Address);
            string? detail = model switch
            {
                "i6300esb" when address?.Attr(XmlNames.Type) is { } type && type != "pci" => "i6300esb model of watchdog can go only on PCI bus",
                "ib700" when !machine.IsI440fx => "ib700 model of watchdog cannot be used with this machine type",
                "ib700" when address is not null => "ib700 model of watchdog does not support configuring the address",
                "diag288" when address is not null => "diag288 model of watchdog is virtual and cannot go on any bus.",
                "diag288" when !machine.IsS390 => "diag288 model of watchdog is allowed for s390 and s390x only",
                "itco" when address is not null => "itco model of watchdog is part of the machine and cannot have any address set.",
                "itco" when !machine.IsQ35 => "itco model of watchdog is only part of q35 machine",
                _ => null,
            };
            if (detail is not null)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, detail, watchdog);
            }
        }
    }
}
