using System.CommandLine;
using Tmds.DBus.Protocol;

namespace Kvm.Kvmctl;

/// <summary><c>define FILE</c> and <c>create FILE</c>: a domain XML file handed to kvmd, which parses and validates it.</summary>
internal static class DefineCommands
{
    public static IEnumerable<Command> Create()
    {
        var defineFile = new Argument<string>("FILE") { Description = "Domain XML file" };
        yield return VerbRunner.Verb("define", "Define (but do not start) a persistent domain from an XML file", async (parse, context) =>
        {
            string file = parse.GetValue(defineFile)!;
            string xml = ReadFile(file);
            string path;
            try
            {
                path = await context.Client.DefineXmlAsync(xml, context.CancellationToken).ConfigureAwait(false);
            }
            catch (DBusErrorReplyException e)
            {
                throw new VirshErrorException($"Failed to define domain from {file}", e);
            }
            DomainProperties domain = await context.Client.GetDomainPropertiesAsync(path, context.CancellationToken).ConfigureAwait(false);
            context.Output.PrintExtra($"Domain '{domain.Name}' defined from {file}\n");
        }, defineFile);

        var createFile = new Argument<string>("FILE") { Description = "Domain XML file" };
        var paused = new Option<bool>("--paused") { Description = "Leave the domain paused after creating it" };
        yield return VerbRunner.Verb("create", "Create and start a transient domain from an XML file", async (parse, context) =>
        {
            string file = parse.GetValue(createFile)!;
            string xml = ReadFile(file);
            string path;
            try
            {
                // VIR_DOMAIN_START_PAUSED
                path = await context.Client.CreateXmlAsync(xml, parse.GetValue(paused) ? 1u : 0u, context.CancellationToken).ConfigureAwait(false);
            }
            catch (DBusErrorReplyException e)
            {
                throw new VirshErrorException($"Failed to create domain from {file}", e);
            }
            DomainProperties domain = await context.Client.GetDomainPropertiesAsync(path, context.CancellationToken).ConfigureAwait(false);
            context.Output.PrintExtra($"Domain '{domain.Name}' created from {file}\n");
        }, createFile, paused);
    }

    /// <summary>Reads the file as virsh does (virFileReadAll), with its error text.</summary>
    private static string ReadFile(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (FileNotFoundException)
        {
            throw new VirshErrorException($"Failed to open file '{file}': No such file or directory");
        }
        catch (DirectoryNotFoundException)
        {
            throw new VirshErrorException($"Failed to open file '{file}': No such file or directory");
        }
        catch (UnauthorizedAccessException)
        {
            throw new VirshErrorException($"Failed to open file '{file}': Permission denied");
        }
        catch (IOException e)
        {
            throw new VirshErrorException($"Failed to read file '{file}': {e.Message}");
        }
    }
}
