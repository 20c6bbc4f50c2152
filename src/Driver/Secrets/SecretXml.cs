using System.Xml;
using System.Xml.Linq;
using Kvm.DomainXml.Canonical;
using Kvm.Driver.Api;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Secrets;

/// <summary>
/// libvirt's secret XML (secret_conf.c, secret.rng): parsed with libvirt's checks and messages (a UUID is made up
/// when there is none) and formatted as virSecretDefFormat writes it.
/// </summary>
public static class SecretXml
{
    public static SecretDef Parse(string xml)
    {
        XElement root;
        try
        {
            root = XElement.Parse(xml);
        }
        catch (XmlException e)
        {
            throw SecretErrors.Xml(e.Message);
        }
        if (root.Name != "secret")
        {
            throw SecretErrors.Xml($"expecting root element of 'secret', not '{root.Name.LocalName}'");
        }
        bool ephemeral = YesNo(root, "ephemeral");
        bool isPrivate = YesNo(root, "private");

        Guid uuid = Guid.NewGuid();
        if (Text(root.Element("uuid")) is { } uuidText && !LibvirtUuid.TryParse(uuidText, out uuid))
        {
            throw SecretErrors.Internal("malformed uuid element");
        }
        string? description = Text(root.Element("description"));

        SecretUsageType usageType = SecretUsageType.None;
        string? usageId = null;
        if (root.Element("usage") is { } usage)
        {
            string typeName = (string?)usage.Attribute("type") is { Length: > 0 } t ? t : throw SecretErrors.Xml("unknown secret usage type");
            if (!SecretUsageNames.TryParse(typeName, out usageType))
            {
                throw DomainErrors.ConfigUnsupported($"unknown secret usage type {typeName}");
            }
            if (SecretUsageNames.IdElement(usageType) is { } idElement)
            {
                usageId = Text(usage.Element(idElement)) ?? throw SecretErrors.Internal(SecretUsageNames.MissingIdMessage(usageType));
            }
        }
        return new SecretDef(uuid, ephemeral, isPrivate, description, usageType, usageId);
    }

    /// <summary>virSecretDefFormat.</summary>
    public static string Format(SecretDef def)
    {
        var root = new XElement("secret", new XAttribute("ephemeral", def.Ephemeral ? "yes" : "no"), new XAttribute("private", def.Private ? "yes" : "no"),
            new XElement("uuid", LibvirtUuid.Format(def.Uuid)));
        if (def.Description is not null)
        {
            root.Add(new XElement("description", def.Description));
        }
        if (def.UsageType != SecretUsageType.None)
        {
            root.Add(new XElement("usage", new XAttribute("type", SecretUsageNames.Name(def.UsageType)),
                new XElement(SecretUsageNames.IdElement(def.UsageType)!, def.UsageId ?? "")));
        }
        return CanonicalWriter.Write(root);
    }

    /// <summary>virXPathString's view of an element: its text, or null when absent or empty.</summary>
    private static string? Text(XElement? element) => element is null || element.Value.Length == 0 ? null : element.Value;

    private static bool YesNo(XElement root, string attribute) => (string?)root.Attribute(attribute) switch
    {
        null or "" or "no" => false,
        "yes" => true,
        _ => throw SecretErrors.Xml($"invalid value of '{attribute}'"),
    };
}
