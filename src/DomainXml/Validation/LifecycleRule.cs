using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Lifecycle actions the hypervisor driver carries out: no restart under a new name, no preserving a guest that
/// powered off or rebooted, and no restart on power-off while a reboot destroys the domain (qemuValidateLifecycleAction).
/// </summary>
internal sealed class LifecycleRule : IDomainRule
{
    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        var definition = context.Definition;
        var (poweroff, reboot, crash) = definition.Lifecycle;
        if (poweroff == LifecycleAction.RenameRestart || reboot == LifecycleAction.RenameRestart || crash == LifecycleAction.RenameRestart)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "qemu driver doesn't support the 'rename-restart' action for 'on_reboot'/'on_poweroff'/'on_crash'",
                At(domain, poweroff, reboot, LifecycleAction.RenameRestart) ?? domain.Element(XmlNames.OnCrash));
        }

        if (poweroff == LifecycleAction.Preserve || reboot == LifecycleAction.Preserve)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "qemu driver doesn't support the 'preserve' action for 'on_reboot'/'on_poweroff'",
                At(domain, poweroff, reboot, LifecycleAction.Preserve));
        }

        if (poweroff == LifecycleAction.Restart && reboot == LifecycleAction.Destroy)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "qemu driver doesn't support 'onReboot' set to 'destroy and 'onPoweroff' set to 'reboot'", domain.Element(XmlNames.OnPoweroff));
        }
    }

    private static XElement? At(XElement domain, LifecycleAction poweroff, LifecycleAction reboot, LifecycleAction action) =>
        poweroff == action ? domain.Element(XmlNames.OnPoweroff) : reboot == action ? domain.Element(XmlNames.OnReboot) : null;
}
