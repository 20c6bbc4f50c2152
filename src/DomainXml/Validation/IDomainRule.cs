using System.Xml.Linq;
using Kvm.DomainXml.Model;

namespace Kvm.DomainXml.Validation;

/// <summary>One semantic rule: throws <see cref="Errors.DomainXmlException"/> (via ThrowHelper) when violated.</summary>
internal interface IDomainRule
{
    void Check(ValidationContext context);
}
