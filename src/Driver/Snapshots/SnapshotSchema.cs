using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Schema;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Snapshots;

/// <summary>VIR_DOMAIN_SNAPSHOT_CREATE_VALIDATE: the request checked against libvirt's domainsnapshot.rng (libvirt0's schemas).</summary>
internal static class SnapshotSchema
{
    private const VirErrorCode XmlInvalidSchema = (VirErrorCode)92; // VIR_ERR_XML_INVALID_SCHEMA
    private static readonly Lazy<RelaxNgSchemaValidator> s_validator =
        new(() => RelaxNgSchemaValidator.Open(null, "domainsnapshot.rng"), LazyThreadSafetyMode.ExecutionAndPublication);

    public static void Validate(string xml)
    {
        SchemaValidationResult result;
        try
        {
            result = s_validator.Value.Validate(xml, "(domain_snapshot)");
        }
        catch (DomainXmlException e)
        {
            throw DomainErrors.Internal(e.Message);
        }
        if (!result.IsValid)
        {
            throw new DomainOperationException(XmlInvalidSchema, "XML document failed to validate against schema: Unable to validate doc against "
                + s_validator.Value.SchemaPath + "\n" + string.Join("\n", result.Errors));
        }
    }
}
