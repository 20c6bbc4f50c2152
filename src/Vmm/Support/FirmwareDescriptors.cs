using System.Text.Json;

namespace Kvm.Vmm.Support;

/// <summary>
/// QEMU's firmware descriptors, found and chosen from as libvirt does (qemu_firmware.c): the JSON files of
/// /usr/share/qemu/firmware, /etc/qemu/firmware and $XDG_CONFIG_HOME/qemu/firmware, a file of a later directory
/// replacing the one of the same name before it, taken in file-name order. <see cref="Select"/> picks the first that
/// fits a domain and kvm-vmm can boot: UEFI in flash, without SMM (kvm-vmm does not emulate it, so no secure boot).
/// </summary>
public static class FirmwareDescriptors
{
    /// <summary>The directories libvirt reads descriptors from, lowest precedence first.</summary>
    public static IReadOnlyList<string> DefaultDirectories()
    {
        string config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return ["/usr/share/qemu/firmware", "/etc/qemu/firmware", Path.Combine(config, "qemu", "firmware")];
    }

    /// <summary>
    /// The descriptors in <paramref name="directories"/>, in the order libvirt considers them; a file that cannot be read
    /// or parsed is left out and named in <paramref name="skipped"/>.
    /// </summary>
    public static IReadOnlyList<FirmwareDescriptor> Load(IEnumerable<string> directories, ICollection<string>? skipped = null)
    {
        var byName = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string directory in directories)
        {
            if (!Directory.Exists(directory))
            {
                continue;
            }

            foreach (string file in Directory.EnumerateFiles(directory, "*.json"))
            {
                byName[Path.GetFileName(file)] = file;
            }
        }

        var descriptors = new List<FirmwareDescriptor>();
        foreach (string file in byName.Values)
        {
            if (Parse(file) is { } descriptor)
            {
                descriptors.Add(descriptor);
            }
            else
            {
                skipped?.Add(file);
            }
        }

        return descriptors;
    }

    /// <summary>
    /// The first descriptor of <paramref name="interfaceType"/> ("uefi") for the machine that kvm-vmm can boot, or null.
    /// A descriptor with a feature kvm-vmm lacks (requires-smm, secure-boot, enrolled-keys) is passed over, as libvirt
    /// passes over what its QEMU cannot do.
    /// </summary>
    public static FirmwareDescriptor? Select(IEnumerable<FirmwareDescriptor> descriptors, string interfaceType, string architecture, string? machine) =>
        descriptors.FirstOrDefault(d => d.InterfaceTypes.Contains(interfaceType)
            && d.Device == "flash" && d.NvramTemplate is not null
            && !d.Features.Any(f => f is "requires-smm" or "secure-boot" or "enrolled-keys")
            && d.Targets.Any(t => t.Architecture == architecture && MachineNames(machine).Any(m => GlobMatches(t.Machine, m))));

    /// <summary>The descriptor whose image is <paramref name="executable"/> (for its NVRAM template), or null.</summary>
    public static FirmwareDescriptor? ForExecutable(IEnumerable<FirmwareDescriptor> descriptors, string executable) =>
        descriptors.FirstOrDefault(d => d.Executable == executable && d.NvramTemplate is not null);

    /// <summary>
    /// The names a descriptor's machine globs are matched against: the domain's machine and, for the unversioned
    /// aliases, the versioned family they stand for (pc is pc-i440fx-*, q35 is pc-q35-*).
    /// </summary>
    private static IEnumerable<string> MachineNames(string? machine)
    {
        string name = string.IsNullOrEmpty(machine) ? "pc" : machine;
        yield return name;
        if (name == "pc")
        {
            yield return "pc-i440fx-";
        }
        else if (name == "q35")
        {
            yield return "pc-q35-";
        }
    }

    /// <summary>fnmatch(3) with '*' and '?', which is all the descriptors use; linear in the text (one backtrack point).</summary>
    internal static bool GlobMatches(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || (pattern[p] != '*' && pattern[p] == text[t])))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    private static FirmwareDescriptor? Parse(string file)
    {
        try
        {
            var info = new FileInfo(file);
            if (info.Length > 64 * 1024)
            {
                return null;
            }

            using var json = JsonDocument.Parse(File.ReadAllBytes(file));
            var root = json.RootElement;
            var mapping = root.GetProperty("mapping");
            string device = mapping.GetProperty("device").GetString() ?? "";
            string? executable = device == "flash"
                ? mapping.GetProperty("executable").GetProperty("filename").GetString()
                : mapping.TryGetProperty("filename", out var filename) ? filename.GetString() : null;
            if (executable is null)
            {
                return null;
            }

            return new FirmwareDescriptor
            {
                Source = file,
                InterfaceTypes = Strings(root, "interface-types"),
                Device = device,
                Executable = executable,
                NvramTemplate = device == "flash" && mapping.TryGetProperty("nvram-template", out var template)
                    ? template.GetProperty("filename").GetString()
                    : null,
                Targets = [.. root.GetProperty("targets").EnumerateArray().SelectMany(t => Strings(t, "machines")
                    .Select(m => (t.GetProperty("architecture").GetString() ?? "", m)))],
                Features = Strings(root, "features"),
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string[] Strings(JsonElement element, string property) =>
        element.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array
            ? [.. array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)]
            : [];
}
