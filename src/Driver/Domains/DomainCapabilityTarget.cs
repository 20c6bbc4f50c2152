namespace Kvm.Driver.Domains;

/// <summary>What a domain capabilities query is answered for, after libvirt's defaults: emulator, arch, machine and virt type.</summary>
public sealed record DomainCapabilityTarget(string Emulator, string Arch, string Machine, string VirtType);
