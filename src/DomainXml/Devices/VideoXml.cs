using System.Xml.Linq;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Devices;

/// <summary><c>&lt;video&gt;</c>: the primary video comes first and says so.</summary>
internal static class VideoXml
{
    public static VideoDef Parse(XElement video)
    {
        var model = video.Element("model");
        return new VideoDef(model?.Attr("type") ?? "default", model?.YesNo("primary") == true);
    }

    public static void MarkPrimary(XElement devices)
    {
        var videos = devices.Elements("video").ToList();
        if (videos.Count == 0)
        {
            return;
        }

        var primary = videos.FirstOrDefault(v => v.Element("model")?.Attr("primary") == "yes") ?? videos[0];
        if (!ReferenceEquals(primary, videos[0]))
        {
            primary.Remove();
            videos[0].AddBeforeSelf(primary);
        }

        if (primary.Element("model") is { } model && model.Attr("type") != "none")
        {
            model.Set("primary", "yes");
        }
    }
}
