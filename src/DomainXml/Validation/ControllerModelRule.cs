using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Storage controllers the machine can have: one IDE controller, the one built into PC (PIIX), Malta, Sun4u and G3
/// machines; SCSI controllers of a model QEMU implements, the ESP (ncr53c90) only as a machine's built-in first one;
/// queue, sector and IOThread tuning only for virtio-scsi (qemuValidateDomainDeviceDefControllerIDE,
/// qemuValidateCheckSCSIControllerModel, qemuValidateDomainDeviceDefControllerSCSI,
/// qemuValidateDomainDeviceDefControllerAttributes).
/// </summary>
internal sealed class ControllerModelRule : IDomainRule
{
    private static readonly string[] s_virtioScsiOnly = ["queues", "cmd_per_lun", "max_sectors", "ioeventfd"];

    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        var machine = context.Machine;
        bool builtinIde = machine.IsI440fx || machine.Machine is "malta" or "sun4u" or "g3beige";
        CheckImpliedIde(context, builtinIde);
        foreach (var controller in context.Devices?.Elements(XmlNames.Controller) ?? [])
        {
            string? type = controller.Attr(XmlNames.Type);
            string? model = controller.Attr(XmlNames.Model);
            CheckAttributes(controller, type, model);
            if (type == "ide" && !(builtinIde && (controller.Int(XmlNames.Index) ?? 0) == 0))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    builtinIde ? "Only a single IDE controller is supported for this machine type"
                        : "IDE controllers are unsupported for this QEMU binary or machine type", controller);
            }

            if (type != "scsi")
            {
                continue;
            }

            if (model is "auto" or "buslogic")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"Unsupported controller model: {model}", controller, "model");
            }

            if (model == "ncr53c90" && (controller.Int(XmlNames.Index) ?? 0) != 0)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "ncr53c90 can only be used as first SCSI controller", controller, "index");
            }

            if (model == "ncr53c90" && !(machine.Arch is "sparc" or "mips64" or "mips64el"))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "ncr53c90 SCSI controller is not a built-in for this machine",
                    controller, "model");
            }
        }
    }

    /// <summary>IDE disks on a machine without IDE imply an IDE controller it cannot have (virDomainDefAddImplicitControllers).</summary>
    private static void CheckImpliedIde(ValidationContext context, bool builtinIde)
    {
        if (builtinIde || context.Devices is null || context.Controllers.Exists(c => c.Attr(XmlNames.Type) == "ide"))
        {
            return;
        }

        if (context.Disks.Find(d => d.ImpliesIdeController) is { } disk)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "IDE controllers are unsupported for this QEMU binary or machine type",
                disk.Target, "bus");
        }
    }

    private static void CheckAttributes(XElement controller, string? type, string? model)
    {
        // A SCSI controller without a model may become virtio-scsi by the machine's default.
        bool virtioScsi = type == "scsi" && model is null or "virtio-scsi" or "virtio-transitional" or "virtio-non-transitional";
        if (virtioScsi || controller.Element(XmlNames.Driver) is not { } driver)
        {
            return;
        }

        if (s_virtioScsiOnly.FirstOrDefault(a => driver.Attr(a) is not null) is { } attribute)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"'{attribute}' is only supported by virtio-scsi controller", driver, attribute);
        }
    }
}
