using System.Text;
using Kvm.DomainXml.Model;
using Kvm.Vmm.Devices.FwCfg;

namespace Kvm.Vmm.Launch;

/// <summary>
/// <c>&lt;sysinfo type='fwcfg'&gt;</c> entries as fw_cfg files, as libvirt passes them to QEMU (<c>-fw_cfg
/// name=N,string=S</c> or <c>file=F</c>): the text as it is (no terminating NUL), or the whole content of the file,
/// read at start. A file that cannot be read, or is too large, refuses the domain with its entry's name.
/// </summary>
internal static class FwCfgMapping
{
    /// <summary>The largest file one entry may name (QEMU has no limit; a firmware blob is kilobytes).</summary>
    public const long MaxFileBytes = 16L << 20;

    public static List<KeyValuePair<string, byte[]>> Files(IEnumerable<FwCfgEntryDef> entries, string file)
    {
        var files = new List<KeyValuePair<string, byte[]>>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        long total = 0;
        foreach (var entry in entries)
        {
            if (entry.Name.Length is 0 or >= FwCfgKey.MaxNameBytes || !Ascii.IsValid(entry.Name))
            {
                throw new LaunchException($"{file}: fw_cfg entry name '{entry.Name}' must be 1 to {FwCfgKey.MaxNameBytes - 1} ASCII characters");
            }

            if (!names.Add(entry.Name))
            {
                throw new LaunchException($"{file}: fw_cfg entry '{entry.Name}' is given twice");
            }

            files.Add(new(entry.Name, entry.File is { } path ? ReadFile(entry.Name, path, file) : Encoding.UTF8.GetBytes(entry.Value ?? string.Empty)));
            total += files[^1].Value.Length;
            if (files.Count > FwCfgContent.MaxFiles || total > FwCfgContent.MaxTotalBytes)
            {
                throw new LaunchException($"{file}: fw_cfg entries take at most {FwCfgContent.MaxFiles} files and {FwCfgContent.MaxTotalBytes >> 20} MiB in all");
            }
        }

        return files;
    }

    private static byte[] ReadFile(string name, string path, string file)
    {
        try
        {
            // Read at most one byte more than allowed, whatever the file's size says now (it may grow meanwhile).
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
            var content = new MemoryStream();
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                content.Write(buffer, 0, read);
                if (content.Length > MaxFileBytes)
                {
                    throw new LaunchException($"{file}: fw_cfg entry '{name}': {path} is larger than {MaxFileBytes >> 20} MiB");
                }
            }

            return content.ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LaunchException($"{file}: fw_cfg entry '{name}': cannot read {path}: {e.Message}");
        }
    }
}
