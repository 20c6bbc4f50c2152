using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.General;

/// <summary><c>&lt;on_poweroff&gt;</c>, <c>&lt;on_reboot&gt;</c>, <c>&lt;on_crash&gt;</c> and the default <c>&lt;clock&gt;</c>.</summary>
internal static class LifecycleXml
{
    internal static readonly XmlEnum<LifecycleAction> s_action = new(
        (LifecycleAction.Destroy, "destroy"),
        (LifecycleAction.Restart, "restart"),
        (LifecycleAction.RenameRestart, "rename-restart"),
        (LifecycleAction.Preserve, "preserve"),
        (LifecycleAction.CoredumpDestroy, "coredump-destroy"),
        (LifecycleAction.CoredumpRestart, "coredump-restart"));

    public static LifecycleDef Parse(XElement domain) => new(
        Read(domain, "on_poweroff", LifecycleAction.Destroy, crash: false),
        Read(domain, "on_reboot", LifecycleAction.Restart, crash: false),
        Read(domain, "on_crash", LifecycleAction.Destroy, crash: true));

    public static void Format(LifecycleDef lifecycle, XElement domain)
    {
        GeneralXml.SetChildText(domain, "on_poweroff", s_action.ToXml(lifecycle.OnPoweroff));
        GeneralXml.SetChildText(domain, "on_reboot", s_action.ToXml(lifecycle.OnReboot));
        GeneralXml.SetChildText(domain, "on_crash", s_action.ToXml(lifecycle.OnCrash));
        if (domain.Element(XmlNames.Clock) is null)
        {
            domain.Add(new XElement(XmlNames.Clock, new XAttribute(XmlNames.Offset, "utc")));
        }
    }

    private static LifecycleAction Read(XElement domain, string name, LifecycleAction fallback, bool crash)
    {
        var element = domain.Element(name);
        if (element is null)
        {
            return fallback;
        }

        string text = element.Text().Trim();
        if (!s_action.TryParse(text, out var action)
            || (!crash && action is LifecycleAction.CoredumpDestroy or LifecycleAction.CoredumpRestart))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"Invalid value for element '{name}': '{text}'", element);
        }

        return action;
    }
}
