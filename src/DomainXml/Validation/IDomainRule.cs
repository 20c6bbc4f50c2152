using System.Xml.Linq;

namespace Kvm.DomainXml.Validation;

/// <summary>One semantic rule: throws <see cref="Errors.DomainXmlException"/> (via ThrowHelper) when violated.</summary>
internal interface IDomainRule
{
    /// <summary>
    /// Element names of which at least one must appear in the definition for the rule to find anything; empty when
    /// the rule applies to every definition. A rule with triggers is skipped for definitions that have none of them.
    /// </summary>
    XName[] Triggers => [];

    void Check(ValidationContext context);
}
