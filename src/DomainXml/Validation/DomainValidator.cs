using System.Xml.Linq;
using Kvm.DomainXml.Model;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Semantic rules over the whole definition, after post-parse (libvirt's virDomainDefValidate and the driver's
/// validate callbacks). Each rule is a small class; they run in order and the first violation is reported.
/// </summary>
internal static class DomainValidator
{
    private static readonly IDomainRule[] s_rules =
    [
        // What libvirt finds while parsing the domain and its devices.
        new SeclabelRule(),
        new SysinfoRule(),
        new UsbControllerRule(),
        new UsbAddressRule(),
        new S390LoadparmRule(),
        new PciAddressRule(),
        new BootMenuRule(),
        new NumatuneRule(),

        // What its post-parse finds: machine defaults, duplicates.
        new PciControllerRule(),
        new SmmRule(),
        new CpuRule(),
        new ControllerIndexRule(),
        new DiskTargetRule(),
        new BootOrderRule(),
        new FirmwareSelectionRule(),

        // What the machine's address assignment finds, at the end of post-parse.
        new PciSlotRule(),
        new ZpciRule(),
        new CcwAddressRule(),

        // virDomainDefValidate, then the driver's validation: what the machine and our VMM support.
        new EmulatorRule(),
        new BiosSerialRule(),
        new LifecycleRule(),
        new FeatureArchRule(),
        new CpuCacheRule(),
        new VcpuTopologyRule(),
        new ClockTimerRule(),
        new PciControllerOptionsRule(),
        new ControllerModelRule(),
        new HostdevRule(),
        new VideoRule(),
        new MemoryHotplugRule(),
        new MemoryDeviceRule(),
        new DiskAddressRule(),
        new DiskSourceRule(),
        new DiskStorageRule(),
        new DiskBusRule(),
        new DiskDriverRule(),
        new VhostUserDiskRule(),
        new DriveAddressRule(),
        new IothreadRule(),
        new FirmwareRule(),
        new Ps2InputRule(),
        new ParallelPortRule(),
        new PanicRule(),
        new GraphicsRule(),
        new IommuRule(),
        new TpmRule(),
        new SerialTargetRule(),
        new SpiceChannelRule(),
        new ChardevChannelRule(),
        new InterfaceRule(),
        new InputRule(),
        new FilesystemRule(),
        new ShmemRule(),
        new AudioRule(),
        new WatchdogRule(),
        new VsockRule(),
        new NvramDeviceRule(),
        new MemballoonRule(),
        new MdevRule(),
        new SpaprVioAddressRule(),
        new AliasRule(),
        new BlkiotuneRule(),
    ];

    public static void Validate(XElement domain, DomainDef definition)
    {
        var context = new ValidationContext(domain, definition);
        foreach (var rule in s_rules)
        {
            if (Applies(rule, context))
            {
                rule.Check(context);
            }
        }
    }

    private static bool Applies(IDomainRule rule, ValidationContext context)
    {
        var triggers = rule.Triggers;
        if (triggers.Length == 0)
        {
            return true;
        }

        foreach (var name in triggers)
        {
            if (context.Contains(name))
            {
                return true;
            }
        }

        return false;
    }
}
