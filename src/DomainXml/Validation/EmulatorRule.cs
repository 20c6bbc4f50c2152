using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// The emulator a definition names runs full-virtualization guests of its own architecture: a
/// <c>qemu-system-&lt;arch&gt;</c> binary runs that architecture and the 32-bit one it extends (i686 on x86_64, armv7l
/// on aarch64, armv6l on arm, little-endian ppc64 on ppc64) (qemuValidateDomainDef, virQEMUCapsIsArchSupported). Only
/// what the XML itself says is checked: an emulator of another name is not judged by its name.
/// </summary>
internal sealed class EmulatorRule : IDomainRule
{
    private const string Prefix = "qemu-system-";

    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        var definition = context.Definition;
        if (definition.Devices.Emulator is not { } emulator)
        {
            return;
        }

        if (definition.Os.Type != "hvm")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                $"Emulator '{emulator}' does not support os type '{definition.Os.Type}'", domain.Element(XmlNames.Os)?.Element(XmlNames.Type));
        }

        string name = Path.GetFileName(emulator);
        var type = domain.Element(XmlNames.Os)?.Element(XmlNames.Type);
        if (!name.StartsWith(Prefix, StringComparison.Ordinal) || type?.Attr(XmlNames.Arch) is not { } arch)
        {
            return;
        }

        string binaryArch = name[Prefix.Length..] switch
        {
            "i386" => "i686",
            "arm" => "armv7l",
            var other => other,
        };
        bool supported = arch == binaryArch || (binaryArch, arch) is ("x86_64", "i686") or ("aarch64", "armv7l")
            or ("armv7l", "armv6l") or ("ppc64", "ppc64le");
        if (!supported)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"Emulator '{emulator}' does not support arch '{arch}'", type, "arch");
        }
    }
}
