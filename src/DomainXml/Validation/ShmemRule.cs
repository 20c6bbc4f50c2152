using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Shared memory (<c>&lt;shmem name&gt;</c>): the name is a file name under /dev/shm, so neither a path nor "." or
/// ".."; interrupts (<c>&lt;msi&gt;</c>) come from an ivshmem server, so they need one (virDomainShmemDefParseXML,
/// virDomainShmemDefValidate).
/// </summary>
internal sealed class ShmemRule : IDomainRule
{
    public XName[] Triggers { get; } = [XmlNames.Shmem];

    public void Check(ValidationContext context)
    {
        foreach (var shmem in context.Devices?.Elements(XmlNames.Shmem) ?? [])
        {
            if (shmem.Element(XmlNames.Msi) is { } msi && shmem.Element(XmlNames.Server) is null)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "msi option is only supported with a server", msi);
            }

            string? detail = shmem.Attr(XmlNames.Name) switch
            {
                { } name when name.Contains('/') => "shmem name cannot include '/' character",
                "." => "shmem name cannot be equal to '.'",
                ".." => "shmem name cannot be equal to '..'",
                _ => null,
            };
            if (detail is not null)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, detail, shmem, "name");
            }
        }
    }
}
