using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;

namespace Kvm.DomainXml.Validation;

/// <summary>A <c>&lt;tpm&gt;</c> names exactly one backend (libvirt's virDomainTPMDefParseXML).</summary>
internal sealed class TpmRule : IDomainRule
{
    public void Check(XElement domain, DomainDef definition)
    {
        foreach (var tpm in domain.Element("devices")?.Elements("tpm") ?? [])
        {
            int backends = tpm.Elements("backend").Count();
            if (backends == 0)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "missing TPM device backend", tpm);
            }

            if (backends > 1)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "only one TPM backend is supported", tpm.Elements("backend").ElementAt(1));
            }
        }
    }
}
