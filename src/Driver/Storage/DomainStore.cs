using Kvm.DomainXml;
using Kvm.DomainXml.Errors;
using NLog;

namespace Kvm.Driver.Storage;

/// <summary>
/// The persistent definitions: <c>&lt;dir&gt;/&lt;name&gt;.xml</c> per domain, written atomically, and libvirt's
/// autostart markers (<c>&lt;dir&gt;/autostart/&lt;name&gt;.xml</c>, a symlink to the definition). Loading parses and
/// post-parses without validation, so a stricter rule never makes a domain vanish; a file that is not even a domain
/// definition is logged and left alone, never deleted.
/// </summary>
public sealed class DomainStore
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    public DomainStore(string directory)
    {
        Directory = Path.GetFullPath(directory);
    }

    public string Directory { get; }

    public string AutostartDirectory => Path.Combine(Directory, "autostart");

    public string PathOf(string name) => Path.Combine(Directory, name + ".xml");

    public string AutostartPathOf(string name) => Path.Combine(AutostartDirectory, name + ".xml");

    /// <summary>Creates the directory (mode 0700) when it does not exist; refuses one that is not kvmd's own.</summary>
    public void EnsureDirectory() => PrivateDirectory.Ensure(Directory, "state");

    /// <summary>Writes (or replaces) a definition atomically.</summary>
    public void Save(string name, string xml)
    {
        EnsureDirectory();
        AtomicFile.WriteAllText(PathOf(name), xml);
    }

    /// <summary>Removes a definition and its autostart marker.</summary>
    public void Delete(string name)
    {
        AtomicFile.Delete(AutostartPathOf(name));
        AtomicFile.Delete(PathOf(name));
    }

    public bool IsAutostart(string name) => File.Exists(AutostartPathOf(name)) || AtomicFile.IsSymlink(AutostartPathOf(name));

    public void SetAutostart(string name, bool autostart)
    {
        string marker = AutostartPathOf(name);
        if (!autostart)
        {
            AtomicFile.Delete(marker);
            return;
        }

        if (IsAutostart(name))
        {
            return;
        }

        System.IO.Directory.CreateDirectory(AutostartDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.CreateSymbolicLink(marker, PathOf(name));
        AtomicFile.SyncDirectory(AutostartDirectory);
    }

    /// <summary>Every definition that parses; the others are logged and skipped.</summary>
    public IReadOnlyList<StoredDomain> LoadAll()
    {
        var result = new List<StoredDomain>();
        if (!System.IO.Directory.Exists(Directory))
        {
            return result;
        }

        foreach (string file in System.IO.Directory.EnumerateFiles(Directory, "*.xml").Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(file).StartsWith(AtomicFile.TempPrefix, StringComparison.Ordinal) || !FileOwner.IsOwnedBySelf(file))
            {
                continue;
            }

            if (TryLoad(file) is { } stored)
            {
                result.Add(stored);
            }
        }

        return result;
    }

    /// <summary>Loads one file: parse + post-parse always, validation only reported.</summary>
    public StoredDomain? TryLoad(string file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            s_log.Error("Cannot read domain definition {File}: {Error}", file, e.Message);
            return null;
        }

        DomainDocument document;
        try
        {
            document = DomainXmlParser.Parse(text, file, DomainParseFlags.Inactive | DomainParseFlags.SkipValidate);
        }
        catch (DomainXmlException e)
        {
            s_log.Error("Skipping domain definition {File}, which cannot be parsed (left in place): {Error}", file, e.ToUserMessage());
            return null;
        }

        string expected = Path.GetFileNameWithoutExtension(file);
        if (document.Definition.Name != expected)
        {
            s_log.Warn("Domain definition {File} names the domain {Domain}; using it under that name", file, document.Definition.Name);
        }

        bool valid = true;
        try
        {
            DomainXmlParser.Parse(text, file, DomainParseFlags.Inactive);
        }
        catch (DomainXmlException e)
        {
            valid = false;
            s_log.Warn("Domain {Domain} from {File} no longer validates; keeping it: {Error}", document.Definition.Name, file, e.ToUserMessage());
        }

        return new StoredDomain(document, IsAutostart(expected), valid);
    }
}
