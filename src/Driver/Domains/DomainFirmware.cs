using Kvm.DomainXml;
using Kvm.DomainXml.Model;
using Kvm.Vmm.Support;
using NLog;

namespace Kvm.Driver.Domains;

/// <summary>
/// What a domain that boots UEFI needs before its VMM starts, as libvirt's QEMU driver prepares it: the firmware
/// chosen from QEMU's descriptors for <c>&lt;os firmware='efi'&gt;</c>, the NVRAM template of a given pflash loader
/// found the same way, and the per-domain variable store (<c>nvram/NAME_VARS.fd</c> under the state directory unless
/// <c>&lt;nvram&gt;</c> names one) created from its template at the first start and kept after that.
/// </summary>
internal sealed class DomainFirmware(string nvramDirectory, IReadOnlyList<string> descriptorDirectories)
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    public string NvramDirectory => nvramDirectory;

    /// <summary>The store libvirt would give <paramref name="name"/> when its XML names none.</summary>
    public string DefaultNvramPath(string name) => Path.Combine(nvramDirectory, name + "_VARS.fd");

    /// <summary>The domain's variable store, or null when it does not boot UEFI from flash.</summary>
    public string? NvramPath(DomainDef definition) =>
        definition.Os.Kernel is not null || !(definition.Os.Firmware == "efi" || VmmSupport.BootsFlash(definition.Os))
            ? null
            : definition.Os.NvramDetails?.Path ?? DefaultNvramPath(definition.Name);

    /// <summary>
    /// <paramref name="live"/> with its loader and variable store filled in (and the store created from its template
    /// when missing); the definition unchanged when it boots a kernel or a BIOS.
    /// </summary>
    /// <exception cref="DomainOperationException">No descriptor fits, or the store cannot be made.</exception>
    public DomainDocument Prepare(DomainDocument live)
    {
        var os = live.Definition.Os;
        if (os.Kernel is not null || !(os.Firmware == "efi" || VmmSupport.BootsFlash(os)))
        {
            return live;
        }

        // Secure boot, stateless loaders and stores on a <source> are the VMM's to refuse, with its words.
        if (os.LoaderDetails is { Secure: true } or { Stateless: true } || os.NvramDetails is { Path: null })
        {
            return live;
        }

        var descriptors = FirmwareDescriptors.Load(descriptorDirectories);
        string loader;
        string? template = os.NvramDetails?.Template;
        if (os.Loader is { } given)
        {
            loader = given;
            template ??= FirmwareDescriptors.ForExecutable(descriptors, given)?.NvramTemplate;
        }
        else
        {
            var chosen = FirmwareDescriptors.Select(descriptors, "uefi", os.Arch ?? "x86_64", os.Machine)
                ?? throw DomainErrors.OperationFailed("Unable to find any firmware to satisfy 'efi'");
            s_log.Debug("Domain {Domain}: firmware {Firmware} from {Descriptor}", live.Definition.Name, chosen.Executable, chosen.Source);
            loader = chosen.Executable;
            template = chosen.NvramTemplate;
        }

        string nvram = os.NvramDetails?.Path ?? DefaultNvramPath(live.Definition.Name);
        CreateStore(nvram, template);
        return DomainEdits.WithFlashFirmware(live, loader, template, nvram);
    }

    /// <summary>Removes the domain's store if it has one (Undefine with VIR_DOMAIN_UNDEFINE_NVRAM).</summary>
    public static void RemoveStore(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DomainErrors.OperationFailed($"cannot remove nvram file '{path}': {e.Message}", e);
        }
    }

    private static void CreateStore(string path, string? template)
    {
        if (File.Exists(path))
        {
            return;
        }

        if (template is null)
        {
            throw DomainErrors.OperationFailed($"unable to find any master var store for loader, and the NVRAM file '{path}' does not exist");
        }

        string partial = path + ".partial";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using (var source = File.OpenRead(template))
            using (var target = new FileStream(partial, new FileStreamOptions
                   {
                       Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                   }))
            {
                source.CopyTo(target);
                target.Flush(flushToDisk: true);
            }

            File.Move(partial, path);
            s_log.Info("Created the NVRAM {Nvram} from {Template}", path, template);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(partial);
            throw DomainErrors.OperationFailed($"Failed to create NVRAM '{path}' from template '{template}': {e.Message}", e);
        }
    }
}
