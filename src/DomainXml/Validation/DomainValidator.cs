using System.Xml.Linq;
using Kvm.DomainXml.Model;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Semantic rules over the whole definition, after post-parse (libvirt's virDomainDefValidate and the driver's
/// validate callbacks). Each rule is a small class; they run in order and the first violation is reported.
/// </summary>
internal static class DomainValidator
{
    private static readonly IDomainRule[] s_rules =
    [
    ];

    public static void Validate(XElement domain, DomainDef definition)
    {
        foreach (var rule in s_rules)
        {
            rule.Check(domain, definition);
        }
    }
}
