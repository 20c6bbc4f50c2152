using System.Globalization;
using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Devices.Graphics;

/// <summary>
/// <c>&lt;graphics&gt;</c>: type, VNC ports and the listen rules (the back-compat <c>listen</c> and <c>socket</c>
/// attributes against the <c>&lt;listen&gt;</c> elements), as libvirt's virDomainGraphicsDefParseXML and its formatter.
/// </summary>
internal static class GraphicsXml
{
    private static readonly HashSet<string> s_types = ["sdl", "vnc", "rdp", "desktop", "spice", "egl-headless", "dbus"];
    private static readonly HashSet<string> s_listenTypes = ["none", "address", "network", "socket"];

    public static GraphicsDef Parse(XElement graphics, DomainParseFlags flags)
    {
        string type = graphics.RequiredAttr(XmlNames.Type);
        if (!s_types.Contains(type))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"unknown graphics device type '{type}'", graphics, "type");
        }

        var listens = new List<GraphicsListen>();
        foreach (var l in graphics.Elements(XmlNames.Listen))
        {
            string listenType = l.RequiredAttr(XmlNames.Type);
            if (!s_listenTypes.Contains(listenType))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"unknown graphics listen type '{listenType}'", l, "type");
            }

            var listen = new GraphicsListen(listenType, l.Attr(XmlNames.Address), l.Attr(XmlNames.Network), l.Attr(XmlNames.Socket));
            if (listenType == "network" && listen.Network is null && (flags & DomainParseFlags.Inactive) != 0)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "'network' attribute is required for listen type 'network'", l);
            }

            if (listenType == "socket" && type is not ("vnc" or "spice"))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"listen type 'socket' is not available for graphics type '{type}'", l);
            }

            listens.Add(listen);
        }

        int? port = null;
        bool? autoport = null;
        if (type is "vnc" or "rdp" or "spice")
        {
            ReconcileBackCompatAttributes(graphics, type, listens);
            autoport = graphics.YesNo(XmlNames.Autoport);
            port = graphics.Int(XmlNames.Port);
            if (port == -1 || (port is null && autoport is null))
            {
                autoport = true;
            }

            if (autoport == true)
            {
                port = 0;
            }
        }

        if (listens.Count == 0 && type is "vnc" or "rdp" or "spice")
        {
            listens.Add(new GraphicsListen("address", null, null, null));
        }

        return new GraphicsDef(type, port, autoport, listens);
    }

    public static void Format(GraphicsDef def, XElement graphics)
    {
        var first = def.Listens.Count > 0 ? def.Listens[0] : null;
        if (def.Type is "vnc" or "rdp" or "spice")
        {
            bool socket = first?.Type == "socket";
            graphics.Set(XmlNames.Socket, def.Type == "vnc" && socket ? first!.Socket : null);
            if (def.Type == "vnc" && socket)
            {
                graphics.Set(XmlNames.Port, null);
                graphics.Set(XmlNames.Autoport, null);
            }
            else
            {
                graphics.Set(XmlNames.Port, def.Port is > 0 ? def.Port.Value.ToString(CultureInfo.InvariantCulture) : def.Autoport == true ? "-1" : null);
                graphics.Set(XmlNames.Autoport, def.Autoport is { } a ? XmlRead.YesNoText(a) : null);
            }

            graphics.Set(XmlNames.Listen, first is { Type: "address", Address: { } address } ? address : null);
        }

        var originals = graphics.Elements(XmlNames.Listen).ToList();
        for (int i = 0; i < def.Listens.Count; i++)
        {
            var l = def.Listens[i];
            var element = i < originals.Count ? originals[i] : new XElement(XmlNames.Listen);
            element.Set(XmlNames.Type, l.Type);
            element.Set(XmlNames.Address, l.Type == "socket" ? null : l.Type == "address" ? l.Address : element.Attr(XmlNames.Address));
            element.Set(XmlNames.Socket, l.Type == "socket" ? l.Socket : null);
            element.Set(XmlNames.Network, l.Network);
            if (i >= originals.Count)
            {
                graphics.Add(element);
            }
        }
    }

    /// <summary>The <c>listen</c> and <c>socket</c> attributes must agree with the first <c>&lt;listen&gt;</c>, or fill it in.</summary>
    private static void ReconcileBackCompatAttributes(XElement graphics, string type, List<GraphicsListen> listens)
    {
        string? socket = type == "vnc" ? graphics.Attr(XmlNames.Socket) : null;
        string? listenAttribute = graphics.Attr(XmlNames.Listen);
        if (socket is not null)
        {
            if (listens.Count > 0 && listens[0].Type == "socket")
            {
                if (listens[0].Socket is { } s && s != socket)
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                        $"graphics 'socket' attribute '{socket}' must match 'socket' attribute of first listen element (found '{s}')",
                        graphics, "socket");
                }

                listens[0] = listens[0] with { Socket = socket };
            }
            else if (listens.Count == 0 || listens[0].Type == "address")
            {
                // A socket given as an attribute replaces an address listen, as libvirt does.
                if (listens.Count > 0)
                {
                    listens.RemoveAt(0);
                }

                listens.Insert(0, new GraphicsListen("socket", null, null, socket));
            }

            return;
        }

        if (listenAttribute is null)
        {
            return;
        }

        if (listens.Count == 0)
        {
            listens.Add(new GraphicsListen("address", listenAttribute, null, null));
        }
        else if (listens[0].Type is "address" or "network")
        {
            if (listens[0].Address is { } address && address != listenAttribute)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                    $"graphics 'listen' attribute '{listenAttribute}' must match 'address' attribute of first listen element (found '{address}')",
                    graphics, "listen");
            }

            if (listens[0].Type == "address")
            {
                listens[0] = listens[0] with { Address = listenAttribute };
            }
        }
    }
}
