using System.CommandLine;
using Kvm.DomainXml;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Reading;
using Kvm.DomainXml.Schema;

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
        var schema = new Option<string?>("--schema")
        {
            Description = "Also check against libvirt's RelaxNG schema (domain.rng) with libxml2, as virsh define --validate; " +
                          "optionally the directory holding it (default " + RelaxNgSchemaValidator.SystemSchemaDirectory + ")",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("validate", "Check a domain definition; exit 0 when libvirt's rules accept it")
        {
            file, inactive, schema,
        };
        command.SetAction(parse =>
        {
            var flags = parse.GetValue(inactive) ? DomainParseFlags.Inactive : DomainParseFlags.None;
            string path = parse.GetValue(file)!;
            bool useSchema = parse.GetResult(schema) is not null;
            return Run(path, flags, _ => { }, useSchema ? parse.GetValue(schema) ?? RelaxNgSchemaValidator.SystemSchemaDirectory : null);
        });
        return command;
    }

    private static int Run(string file, DomainParseFlags flags, Action<DomainDocument> action, string? schemaDirectory = null)
    {
        string name = file == "-" ? "(stdin)" : file;
        try
        {
            // Bytes, not text: the size limit before the whole file is read, invalid UTF-8 refused as libxml2 does.
            string text;
            try
            {
                using Stream? stdin = file == "-" ? Console.OpenStandardInput() : null;
                text = stdin is null ? XmlInput.ReadFile(file, DomainXmlLimits.Default) : XmlInput.ReadStream(stdin, DomainXmlLimits.Default, name);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"kvmctl: cannot read {file}: {e.Message}");
                return 1;
            }

            if (schemaDirectory is not null)
            {
                // As virsh define --validate: the schema first, then libvirt's own rules.
                using var validator = RelaxNgSchemaValidator.Open(schemaDirectory);
                var result = validator.Validate(text, name);
                if (!result.IsValid)
                {
                    foreach (string error in result.Errors)
                    {
                        Console.Error.WriteLine("kvmctl: " + error);
                    }

                    Console.Error.WriteLine($"kvmctl: {name}: XML document failed to validate against schema: {validator.SchemaPath}");
                    return 1;
                }
            }

            action(DomainXmlParser.Parse(text, name, flags));
            return 0;
        }
        catch (DomainXmlException e)
        {
            Console.Error.WriteLine("kvmctl: " + e.ToUserMessage());
            return 1;
        }
    }
}
