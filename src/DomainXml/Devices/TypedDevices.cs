using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;

namespace Kvm.DomainXml.Devices;

/// <summary>
/// Collects the devices that have a read-only typed view (input, sound, audio, memballoon, rng, watchdog, panic,
/// filesystem, hostdev, tpm, vsock, iommu) while <see cref="DevicesXml"/> walks <c>&lt;devices&gt;</c>, with libvirt's
/// limits on how many of a kind a domain may have.
/// </summary>
internal sealed class TypedDevices
{
    private readonly List<InputDef> _inputs = [];
    private readonly List<SoundDef> _sounds = [];
    private readonly List<AudioDef> _audios = [];
    private readonly List<RngDef> _rngs = [];
    private readonly List<WatchdogDef> _watchdogs = [];
    private readonly List<PanicDef> _panics = [];
    private readonly List<FilesystemDef> _filesystems = [];
    private readonly List<HostdevDef> _hostdevs = [];
    private readonly List<TpmDef> _tpms = [];
    private MemballoonDef? _memballoon;
    private VsockDef? _vsock;
    private IommuDef? _iommu;

    /// <summary>Parses <paramref name="device"/> when its kind is one of these; null for any other kind.</summary>
    public object? TryParse(XElement device, XElement domain)
    {
        switch (device.Name.LocalName)
        {
            case "input":
                return Add(_inputs, InputXml.Parse(device, domain));
            case "sound":
                return Add(_sounds, SoundXml.Parse(device));
            case "audio":
                return Add(_audios, AudioXml.Parse(device));
            case "watchdog":
                return Add(_watchdogs, WatchdogXml.Parse(device));
            case "panic":
                return Add(_panics, PanicXml.Parse(device));
            case "filesystem":
                return Add(_filesystems, FilesystemXml.Parse(device));
            case "hostdev":
                return Add(_hostdevs, HostdevXml.Parse(device));
            case "tpm":
                if (_tpms.Count == TpmXml.MaxDevices)
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                        "a maximum of two TPM devices is supported, one of them being a TPM Proxy device", device);
                }

                return Add(_tpms, TpmXml.Parse(device));
            case "memballoon":
                Single(_memballoon, device, DomainXmlErrorKind.InternalError, "only a single memory balloon device is supported");
                return _memballoon = MemballoonXml.Parse(device);
            case "vsock":
                Single(_vsock, device, DomainXmlErrorKind.XmlError, "only a single vsock device is supported");
                return _vsock = VsockXml.Parse(device);
            case "iommu":
                Single(_iommu, device, DomainXmlErrorKind.XmlError, "only a single IOMMU device is supported");
                return _iommu = IommuXml.Parse(device);
            default:
                return null;
        }
    }

    /// <summary>An rng, parsed by the caller together with its egd chardev.</summary>
    public RngDef Add(RngDef rng) => Add(_rngs, rng);

    public DevicesDef AddTo(DevicesDef devices) => devices with
    {
        Inputs = _inputs,
        Sounds = _sounds,
        Audios = _audios,
        Memballoon = _memballoon,
        Rngs = _rngs,
        Watchdogs = _watchdogs,
        Panics = _panics,
        Filesystems = _filesystems,
        Hostdevs = _hostdevs,
        Tpms = _tpms,
        Vsock = _vsock,
        Iommu = _iommu,
    };

    private static T Add<T>(List<T> list, T def)
    {
        list.Add(def);
        return def;
    }

    private static void Single(object? existing, XElement device, DomainXmlErrorKind kind, string message)
    {
        if (existing is not null)
        {
            ThrowHelper.Throw(kind, message, device);
        }
    }
}
