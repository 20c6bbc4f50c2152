using System.Xml.Linq;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Devices;

/// <summary><c>&lt;video&gt;</c>: the primary video comes first and says so.</summary>
internal static class VideoXml
{
    public static VideoDef Parse(XElement video)
    {
        var model = video.Element(XmlNames.Model);
        return new VideoDef(model?.Attr(XmlNames.Type) ?? "default", model?.YesNo(XmlNames.Primary) == true);
    }

    public static void MarkPrimary(XElement devices)
    {
        var videos = devices.Elements(XmlNames.Video).ToList();
        if (videos.Count == 0)
        {
            return;
        }

        var primary = videos.FirstOrDefault(v => v.Element(XmlNames.Model)?.Attr(XmlNames.Primary) == "yes") ?? videos[0];
        if (!ReferenceEquals(primary, videos[0]))
        {
            primary.Remove();
            videos[0].AddBeforeSelf(primary);
        }

        if (primary.Element(XmlNames.Model) is { } model && model.Attr(XmlNames.Type) != "none")
        {
            model.Set(XmlNames.Primary, "yes");
        }
    }
}
