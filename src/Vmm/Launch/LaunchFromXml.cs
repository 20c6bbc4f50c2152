using Kvm.DomainXml;
using Kvm.DomainXml.Errors;

namespace Kvm.Vmm.Launch;

/// <summary><c>kvm-vmm --domain-xml FILE</c>: the definition is parsed and validated as <c>virsh define</c> would.</summary>
internal static class LaunchFromXml
{
    public static LaunchPlan Plan(string file, bool ignoreUnsupported, Action<string> warn)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LaunchException($"cannot read {file}: {e.Message}");
        }

        DomainDocument document;
        try
        {
            document = DomainXmlParser.Parse(text, file, DomainParseFlags.Inactive);
        }
        catch (DomainXmlException e)
        {
            throw new LaunchException(e.Message);
        }

        return DomainMapping.Map(document.Definition, file, ignoreUnsupported, warn);
    }
}
