using System.Xml.Linq;
using Kvm.Driver.Domains;
using Kvm.Vmm.Support;

namespace Kvm.Driver.Api;

/// <summary>
/// The capability documents kvmd reports, in libvirt's formats: host capabilities (virConnectGetCapabilities),
/// domain capabilities (virConnectGetDomainCapabilities) and host SMBIOS (virConnectGetSysinfo). The guest side
/// says what kvm-vmm runs: hvm guests, arch x86_64, domain type kvm, machines q35 and pc, and the devices of
/// <see cref="VmmSupport"/>, the description kvm-vmm itself refuses domains by.
/// </summary>
public static class CapabilitiesXml
{
    public const string GuestArch = DomainCapabilityQuery.Arch;
    public const string Machine = VmmSupport.Machine;
    public const string VirtType = DomainCapabilityQuery.VirtType;

    public static string Capabilities(HostInfo host, KvmdApiOptions options)
    {
        var cpu = new XElement("cpu", new XElement("arch", host.Arch));
        if (VendorName(host.CpuVendor) is { } vendor)
        {
            cpu.Add(new XElement("vendor", vendor));
        }
        HostCpu[] cpus = host.Cpus.ToArray();
        int sockets = Math.Max(1, cpus.Select(c => c.SocketId).Distinct().Count());
        int dies = Math.Max(1, cpus.Select(c => (c.SocketId, c.DieId)).Distinct().Count() / sockets);
        int cores = Math.Max(1, cpus.Select(c => (c.SocketId, c.DieId, c.CoreId)).Distinct().Count() / (sockets * dies));
        int threads = Math.Max(1, cpus.Length / (sockets * dies * cores));
        cpu.Add(new XElement("topology", new XAttribute("sockets", sockets), new XAttribute("dies", dies),
            new XAttribute("cores", cores), new XAttribute("threads", threads)));
        cpu.Add(host.PageSizesKiB.Select(size => new XElement("pages", new XAttribute("unit", "KiB"), new XAttribute("size", size))));

        var hostElement = new XElement("host");
        if (HostUuid(host) is { } uuid)
        {
            hostElement.Add(new XElement("uuid", uuid));
        }
        hostElement.Add(cpu, new XElement("power_management"), new XElement("iommu", new XAttribute("support", host.Iommu ? "yes" : "no")),
            new XElement("topology", new XElement("cells", new XAttribute("num", host.Cells.Count), host.Cells.Select(Cell))),
            new XElement("secmodel", new XElement("model", "none"), new XElement("doi", "0")));

        var guest = new XElement("guest",
            new XElement("os_type", "hvm"),
            new XElement("arch", new XAttribute("name", GuestArch),
                new XElement("wordsize", 64),
                new XElement("emulator", options.EmulatorPath),
                VmmSupport.MachineAliases.Select(m => new XElement("machine", new XAttribute("maxCpus", options.MaxVcpus), m)),
                new XElement("domain", new XAttribute("type", VirtType))),
            new XElement("features",
                new XElement("acpi", new XAttribute("default", "on"), new XAttribute("toggle", "yes")),
                new XElement("apic", new XAttribute("default", "on"), new XAttribute("toggle", "no")),
                new XElement("cpuselection"),
                new XElement("deviceboot")));
        return new XElement("capabilities", hostElement, guest) + "\n";
    }

    /// <summary>
    /// virConnectGetDomainCapabilities; "" (NULL) arguments take libvirt's defaults. What it is answered for, or
    /// libvirt's error, is the driver core's decision (<see cref="DomainCapabilityQuery"/>).
    /// </summary>
    public static string DomainCapabilities(string emulator, string arch, string machine, string virtType, KvmdApiOptions options)
    {
        DomainCapabilityTarget target = DomainCapabilityQuery.Resolve(emulator, arch, machine, virtType, options.EmulatorPath);
        // The UEFI builds kvm-vmm boots (from QEMU's descriptors, as libvirt lists them): those needing no SMM.
        string[] uefiLoaders = [.. FirmwareDescriptors.Load(FirmwareDescriptors.DefaultDirectories())
            .Where(d => FirmwareDescriptors.Select([d], "uefi", target.Arch, target.Machine) is not null).Select(d => d.Executable).Distinct()];
        static XElement Enum(string name, params string[] values) =>
            new("enum", new XAttribute("name", name), values.Select(v => new XElement("value", v)));
        static XElement Unsupported(string name) => new(name, new XAttribute("supported", "no"));
        static XElement Supported(string name, params object[] content) => new(name, new XAttribute("supported", "yes"), content);
        return new XElement("domainCapabilities",
            new XElement("path", target.Emulator),
            new XElement("domain", target.VirtType),
            new XElement("machine", target.Machine),
            new XElement("arch", target.Arch),
            new XElement("vcpu", new XAttribute("max", options.MaxVcpus)),
            Unsupported("iothreads"),
            Supported("os", Enum("firmware", [.. uefiLoaders.Length > 0 ? new[] { "efi" } : []]),
                Supported("loader", new XElement("value", VmmSupport.DefaultBios), uefiLoaders.Select(l => new XElement("value", l)), Enum("type", [.. VmmSupport.LoaderTypes]),
                    Enum("readonly", "yes", "no"), Enum("secure", "no"))),
            new XElement("cpu",
                new XElement("mode", new XAttribute("name", "host-passthrough"), new XAttribute("supported", "yes"),
                    Enum("hostPassthroughMigratable", "off")),
                new XElement("mode", new XAttribute("name", "maximum"), new XAttribute("supported", "no")),
                new XElement("mode", new XAttribute("name", "host-model"), new XAttribute("supported", "no")),
                new XElement("mode", new XAttribute("name", "custom"), new XAttribute("supported", "no"))),
            Unsupported("memoryBacking"),
            new XElement("devices",
                Supported("disk", Enum("diskDevice", [.. VmmSupport.DiskDevices]), Enum("bus", [.. VmmSupport.DiskBuses]), Enum("model", [.. VmmSupport.DiskModels])),
                Unsupported("graphics"),
                Unsupported("video"),
                Unsupported("hostdev"),
                Supported("rng", Enum("model", [.. VmmSupport.RngModels]), Enum("backendModel", [.. VmmSupport.RngBackends])),
                Unsupported("filesystem"),
                Unsupported("tpm"),
                Unsupported("redirdev"),
                Supported("console", Enum("type", "pty", "file", "unix", "stdio"))),
            new XElement("features",
                Unsupported("gic"),
                Unsupported("vmcoreinfo"),
                Unsupported("genid"),
                Unsupported("sev"))) + "\n";
    }

    /// <summary>The host's SMBIOS as libvirt's &lt;sysinfo type='smbios'&gt; (bios and system blocks from DMI).</summary>
    public static string Sysinfo(HostInfo host)
    {
        (string Entry, string Dmi)[] bios = [("vendor", "bios_vendor"), ("version", "bios_version"), ("date", "bios_date"), ("release", "bios_release")];
        (string Entry, string Dmi)[] system = [("manufacturer", "sys_vendor"), ("product", "product_name"), ("version", "product_version"),
            ("serial", "product_serial"), ("uuid", "product_uuid"), ("sku", "product_sku"), ("family", "product_family")];
        XElement? Block(string name, (string Entry, string Dmi)[] fields)
        {
            XElement[] entries = fields.Where(f => host.Dmi.ContainsKey(f.Dmi))
                .Select(f => new XElement("entry", new XAttribute("name", f.Entry), host.Dmi[f.Dmi])).ToArray();
            return entries.Length == 0 ? null : new XElement(name, entries);
        }
        XElement?[] blocks = [Block("bios", bios), Block("system", system)];
        if (blocks.All(b => b is null))
        {
            throw new DomainOperationException(VirErrorCode.ConfigUnsupported, "unsupported configuration: Host SMBIOS information is not available");
        }
        return new XElement("sysinfo", new XAttribute("type", "smbios"), blocks) + "\n";
    }

    private static XElement Cell(HostNumaCell cell) =>
        new("cell", new XAttribute("id", cell.Id),
            new XElement("memory", new XAttribute("unit", "KiB"), cell.MemoryKiB),
            new XElement("cpus", new XAttribute("num", cell.Cpus.Count), cell.Cpus.Select(c =>
                new XElement("cpu", new XAttribute("id", c.Id), new XAttribute("socket_id", c.SocketId), new XAttribute("die_id", c.DieId),
                    new XAttribute("core_id", c.CoreId), new XAttribute("siblings", c.Siblings)))));

    private static string? VendorName(string? vendorId) => vendorId switch
    {
        "GenuineIntel" => "Intel",
        "AuthenticAMD" => "AMD",
        null or "" => null,
        _ => vendorId,
    };

    private static string? HostUuid(HostInfo host)
    {
        if (host.Dmi.TryGetValue("product_uuid", out string? smbios) && LibvirtUuid.TryParse(smbios, out Guid fromSmbios))
        {
            return LibvirtUuid.Format(fromSmbios);
        }
        return MachineId.Value is { } id && LibvirtUuid.TryParse(id, out Guid fromMachineId)
            ? LibvirtUuid.Format(fromMachineId)
            : null;
    }
}
