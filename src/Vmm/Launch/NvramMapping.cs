using Kvm.DomainXml.Model;
using Kvm.Vmm.Support;

namespace Kvm.Vmm.Launch;

/// <summary>
/// The UEFI variable store of a domain that boots from flash: <c>&lt;nvram&gt;</c>'s file, created from its
/// template when it does not exist yet (as libvirt does at a domain's first start), never overwritten after that.
/// </summary>
internal static class NvramMapping
{
    /// <summary>The NVRAM file to boot with, or null when the domain does not boot UEFI from flash.</summary>
    /// <exception cref="LaunchException">The file is missing and cannot be made from a template.</exception>
    public static string? Prepare(OsDef os, string file)
    {
        if (!VmmSupport.BootsFlash(os) || os.NvramDetails?.Path is not { } path)
        {
            return null;
        }

        if (File.Exists(path))
        {
            return path;
        }

        if (os.NvramDetails.Template is not { } template)
        {
            throw new LaunchException($"{file}: the NVRAM {path} does not exist, and <nvram> names no template to create it from");
        }

        string partial = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            using (var source = File.OpenRead(template))
            using (var target = new FileStream(partial, FileMode.CreateNew, FileAccess.Write))
            {
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(partial, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                source.CopyTo(target);
                target.Flush(flushToDisk: true);
            }

            File.Move(partial, path);
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(partial);
            throw new LaunchException($"{file}: cannot create the NVRAM {path} from the template {template}: {e.Message}");
        }
    }
}
