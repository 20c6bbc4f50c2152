using System.CommandLine;
using Kvm.DomainXml;
using Kvm.DomainXml.Errors;

namespace Kvm.Kvmctl;

/// <summary><c>kvmctl xml format|validate</c>: the domain XML engine as a user sees it.</summary>
internal static class XmlCommands
{
    public static Command Create()
    {
        var xml = new Command("xml", "Parse, validate and format libvirt domain XML");
        xml.Add(CreateFormat());
        xml.Add(CreateValidate());
        return xml;
    }

    private static Command CreateFormat()
    {
        var file = new Argument<string>("FILE") { Description = "Domain XML file, or - for standard input" };
        var inactive = new Option<bool>("--inactive")
        {
            Description = "Parse as an inactive definition (as virsh define); the default is a live one",
        };
        var command = new Command("format", "Print the canonical form of a domain definition, as libvirt writes it")
        {
            file, inactive,
        };
        command.SetAction(parse =>
        {
            var flags = parse.GetValue(inactive) ? DomainParseFlags.Inactive : DomainParseFlags.None;
            return Run(parse.GetValue(file)!, flags, document =>
            {
                var output = DomainXmlFormatter.Format(document, DomainFormatFlags.Secure);
                Console.Out.Write(output);
            });
        });
        return command;
    }

    private static Command CreateValidate()
    {
        var file = new Argument<string>("FILE") { Description = "Domain XML file, or - for standard input" };
        var inactive = new Option<bool>("--inactive") { Description = "Validate as an inactive definition" };
        var command = new Command("validate", "Check a domain definition; exit 0 when libvirt's rules accept it")
        {
            file, inactive,
        };
        command.SetAction(parse =>
        {
            var flags = parse.GetValue(inactive) ? DomainParseFlags.Inactive : DomainParseFlags.None;
            return Run(parse.GetValue(file)!, flags, _ => { });
        });
        return command;
    }

    private static int Run(string file, DomainParseFlags flags, Action<DomainDocument> action)
    {
        string text;
        try
        {
            text = file == "-" ? Console.In.ReadToEnd() : File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"kvmctl: cannot read {file}: {e.Message}");
            return 1;
        }

        try
        {
            action(DomainXmlParser.Parse(text, file == "-" ? "(stdin)" : file, flags));
            return 0;
        }
        catch (DomainXmlException e)
        {
            Console.Error.WriteLine("kvmctl: " + e.ToUserMessage());
            return 1;
        }
    }
}
