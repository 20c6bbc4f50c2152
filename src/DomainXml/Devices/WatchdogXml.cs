using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.General;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Devices;

/// <summary><c>&lt;watchdog model action&gt;</c> (virDomainWatchdogDefParseXML).</summary>
internal static class WatchdogXml
{
    internal static readonly XmlEnum<WatchdogModel> s_model = new(
        (WatchdogModel.I6300esb, "i6300esb"),
        (WatchdogModel.Ib700, "ib700"),
        (WatchdogModel.Diag288, "diag288"),
        (WatchdogModel.Itco, "itco"));

    internal static readonly XmlEnum<WatchdogAction> s_action = new(
        (WatchdogAction.Reset, "reset"),
        (WatchdogAction.Shutdown, "shutdown"),
        (WatchdogAction.Poweroff, "poweroff"),
        (WatchdogAction.Pause, "pause"),
        (WatchdogAction.Dump, "dump"),
        (WatchdogAction.None, "none"),
        (WatchdogAction.InjectNmi, "inject-nmi"));

    public static WatchdogDef Parse(XElement watchdog)
    {
        if (watchdog.Attr(XmlNames.Model) is null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError, "watchdog must contain model name", watchdog);
        }

        return new WatchdogDef(
            watchdog.EnumNamed("model", s_model, "watchdog model")!.Value,
            watchdog.EnumNamed("action", s_action, "watchdog action") ?? WatchdogAction.Reset);
    }
}
