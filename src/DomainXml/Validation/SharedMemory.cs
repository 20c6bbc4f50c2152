using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// vhost-user back ends (virtiofsd, vhost-user-blk) map guest RAM, so every part of it is shared: the memory backing
/// as a whole, or each guest NUMA cell (qemuValidateDomainDefVhostUserRequireSharedMemory; the machine's default RAM
/// object lets a guest without NUMA cells share its memory too).
/// </summary>
internal static class SharedMemory
{
    public static void Require(XElement domain, string user, XElement device)
    {
        bool domainShared = domain.Element(XmlNames.MemoryBacking)?.Element(XmlNames.Access)?.Attr(XmlNames.Mode) == "shared";
        var cells = domain.Element(XmlNames.Cpu)?.Element(XmlNames.Numa)?.Elements(XmlNames.Cell).ToList() ?? [];
        bool shared = cells.Count == 0
            ? domainShared
            : cells.All(c => c.Attr(XmlNames.MemAccess) switch
            {
                "shared" => true,
                "private" => false,
                _ => domainShared,
            });
        if (!shared)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"'{user}' requires shared memory", device);
        }
    }
}
