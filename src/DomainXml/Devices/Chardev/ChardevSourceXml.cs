using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Devices.Chardev;

/// <summary>
/// The host side of a character device (libvirt's virDomainChrSourceDef), shared by serial/console/channel devices
/// and the chardev backends of smartcard, redirdev and rng: parsed from <c>&lt;source&gt;</c>/<c>&lt;protocol&gt;</c>
/// and written back the way libvirt's formatter rebuilds them.
/// </summary>
internal static class ChardevSourceXml
{
    private static readonly HashSet<string> s_protocols = ["raw", "telnet", "telnets", "tls"];

    /// <summary>Parses the source of <paramref name="device"/>, whose type is in <paramref name="typeAttribute"/>.</summary>
    public static ChardevSource Parse(XElement device, string typeAttribute, DomainParseFlags flags)
    {
        string type = device.Attr(typeAttribute) ?? "pty";
        if (!ChardevTypes.IsKnown(type))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"unknown type presented to host for character device: {type}",
                device, typeAttribute);
        }

        var sources = device.Elements(XmlNames.Source).ToList();
        if (sources.Count > 1 && type != "udp")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "only one source element is allowed for character device", sources[1]);
        }

        if (sources.Count > 2)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "only two source elements are allowed for character device", sources[2]);
        }

        var result = new ChardevSource { Type = type };
        if (sources.Count > 0)
        {
            var s = sources[0];
            result = type switch
            {
                "file" or "dev" or "pipe" => result with { Path = s.Attr(XmlNames.Path) },
                "pty" => result with { Path = (flags & DomainParseFlags.Inactive) != 0 ? null : s.Attr(XmlNames.Path) },
                "unix" => result with { Listen = IsBind(s), Path = s.Attr(XmlNames.Path) },
                "tcp" => result with { Listen = IsBind(s), Host = s.Attr(XmlNames.Host), Service = s.Attr(XmlNames.Service) },
                "udp" => ParseUdp(result, sources),
                _ => result,
            };
            if (type is "tcp" or "unix")
            {
                ValidateReconnect(s, result.Listen);
            }
        }

        var protocols = device.Elements(XmlNames.Protocol).ToList();
        if (protocols.Count > 1)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "only one protocol element is allowed for character device", protocols[1]);
        }

        if (type == "tcp")
        {
            string? protocol = protocols.FirstOrDefault()?.Attr(XmlNames.Type);
            if (protocol is not null && !s_protocols.Contains(protocol))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"Unknown protocol '{protocol}'", protocols[0], "type");
            }

            result = result with { Protocol = protocol ?? "raw" };
        }

        return result;
    }

    /// <summary>libvirt's virDomainChrSourceDefValidate, which reports missing sources as internal errors.</summary>
    public static void Validate(ChardevSource source, XElement device, bool pathOptional)
    {
        switch (source.Type)
        {
            case "tcp":
                if (source.Host is null)
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.InternalError, "Missing source host attribute for char device", device);
                }

                if (source.Service is null)
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.InternalError, "Missing source service attribute for char device", device);
                }

                break;
            case "udp":
                if (source.Service is null)
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.InternalError, "Missing source service attribute for char device", device);
                }

                break;
            case "unix":
                if (source.Path is null && !pathOptional)
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.InternalError, "Missing source path attribute for char device", device);
                }

                break;
            case "file" or "dev" or "pipe":
                if (source.Path is null)
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.InternalError, "Missing source path attribute for char device", device);
                }

                break;
        }
    }

    /// <summary>Writes the source back as libvirt's formatter does, keeping what the model does not own.</summary>
    public static void Format(ChardevSource source, XElement device, string typeAttribute)
    {
        device.Set(typeAttribute, source.Type);
        var sources = device.Elements(XmlNames.Source).ToList();
        var first = sources.FirstOrDefault();
        foreach (var s in sources)
        {
            s.Remove();
        }

        var created = new List<XElement>();
        switch (source.Type)
        {
            case "udp":
                if (source.BindHost is not null || source.BindService is not null)
                {
                    created.Add(Source(null, "bind", ("host", source.BindHost), ("service", source.BindService)));
                }

                if (source.Host is not null || source.Service is not null)
                {
                    created.Add(Source(null, "connect", ("host", source.Host), ("service", source.Service)));
                }

                break;
            case "tcp":
                created.Add(Source(first, source.Listen ? "bind" : "connect", ("host", source.Host), ("service", source.Service)));
                break;
            case "unix":
                // libvirt drops a path-less source; a listening one still says something, so it is kept.
                if (source.Path is not null || source.Listen)
                {
                    created.Add(Source(first, source.Listen ? "bind" : "connect", ("path", source.Path)));
                }

                break;
            case "pty" or "file" or "dev" or "pipe":
                if (source.Path is not null)
                {
                    created.Add(Source(first, null, ("path", source.Path)));
                }

                break;
            default:
                if (first is not null)
                {
                    created.Add(first);
                }

                break;
        }

        device.AddFirst(created);
        if (source.Type == "tcp")
        {
            device.Elements(XmlNames.Protocol).Remove();
            device.Add(new XElement(XmlNames.Protocol, new XAttribute(XmlNames.Type, source.Protocol ?? "raw")));
        }
    }

    private static XElement Source(XElement? original, string? mode, params (string Name, string? Value)[] attributes)
    {
        var element = new XElement(XmlNames.Source);
        element.Set(XmlNames.Mode, mode);
        foreach (var (name, value) in attributes)
        {
            element.Set(name, value);
        }

        if (original is not null)
        {
            // Keep what the model does not own (append, tls, seclabel, reconnect, ...), in the original's order.
            foreach (var a in original.Attributes())
            {
                if (a.Name.LocalName is not ("mode" or "path" or "host" or "service") && !a.IsNamespaceDeclaration)
                {
                    element.Add(new XAttribute(a));
                }
            }

            element.Add(original.Nodes());
        }

        return element;
    }

    private static ChardevSource ParseUdp(ChardevSource result, List<XElement> sources)
    {
        foreach (var s in sources)
        {
            if (IsBind(s))
            {
                if (result.BindHost is null && result.BindService is null)
                {
                    result = result with { BindHost = s.Attr(XmlNames.Host), BindService = s.Attr(XmlNames.Service) };
                }
            }
            else if (result.Host is null && result.Service is null)
            {
                result = result with { Host = s.Attr(XmlNames.Host), Service = s.Attr(XmlNames.Service) };
            }
        }

        return result;
    }

    private static bool IsBind(XElement source) => source.Attr(XmlNames.Mode) switch
    {
        null or "connect" => false,
        "bind" => true,
        var mode => ThrowHelper.Throw<bool>(DomainXmlErrorKind.XmlError,
            $"Invalid value for attribute 'mode' in element 'source': '{mode}'.", source, "mode"),
    };

    private static void ValidateReconnect(XElement source, bool listen)
    {
        if (source.Element(XmlNames.Reconnect) is not { } reconnect)
        {
            return;
        }

        if (reconnect.YesNo(XmlNames.Enabled) == true)
        {
            uint timeout = reconnect.UInt(XmlNames.Timeout, required: true)!.Value;
            if (timeout == 0)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.InvalidArgument, "chardev reconnect source timeout cannot be '0'", reconnect, "timeout");
            }

            if (listen)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.InternalError, "chardev reconnect is possible only for connect mode", reconnect);
            }
        }
    }
}
