using System.Xml.Linq;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// What <c>/domain/os/type</c> says about the machine, as the machine-dependent rules need it (libvirt's
/// qemuDomainIsQ35, qemuDomainIsI440FX, qemuDomainIsPSeries, ...). The architecture is filled in by post-parse.
/// </summary>
internal readonly record struct MachineType(string Arch, string? Machine)
{
    public static MachineType Of(XElement domain)
    {
        var type = domain.Element(XmlNames.Os)?.Element(XmlNames.Type);
        return new MachineType(type?.Attr(XmlNames.Arch) ?? Os.OsXml.DefaultArch, type?.Attr(XmlNames.Machine));
    }

    public bool IsX86 => Arch is "x86_64" or "i686";

    public bool IsS390 => Arch is "s390" or "s390x";

    /// <summary>
    /// s390's CCW machines ("s390-ccw-virtio", versioned or not; also what an s390 guest without a machine gets), the
    /// only ones with CCW addresses.
    /// </summary>
    public bool IsS390Ccw => IsS390 && (Machine is null || Machine.StartsWith("s390-ccw", StringComparison.Ordinal));

    public bool IsPpc64 => Arch is "ppc64" or "ppc64le";

    public bool IsAarch64 => Arch == "aarch64";

    public bool IsQ35 => IsX86 && Machine is { } m && (m == "q35" || m.StartsWith("pc-q35-", StringComparison.Ordinal));

    /// <summary>i440FX: "pc", "pc-i440fx-*" and the old "pc-0.*"/"pc-1.*" names; also what an x86 guest without a machine gets.</summary>
    public bool IsI440fx => IsX86 && (Machine is null || Machine == "pc" || Machine.StartsWith("pc-0.", StringComparison.Ordinal)
        || Machine.StartsWith("pc-1.", StringComparison.Ordinal) || Machine.StartsWith("pc-i440fx-", StringComparison.Ordinal)
        || Machine.StartsWith("rhel", StringComparison.Ordinal));

    public bool IsPSeries => IsPpc64 && Machine is { } m && (m == "pseries" || m.StartsWith("pseries-", StringComparison.Ordinal));

    public bool IsRiscvVirt => Arch == "riscv64" && Machine is { } m && (m == "virt" || m.StartsWith("virt-", StringComparison.Ordinal));

    public bool IsArmVirt => Arch is "aarch64" or "armv7l" && Machine is { } m
        && (m == "virt" || m.StartsWith("virt-", StringComparison.Ordinal));
}
