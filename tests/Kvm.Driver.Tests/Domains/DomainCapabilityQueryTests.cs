using Kvm.Driver.Domains;

namespace Kvm.Driver.Tests.Domains;

/// <summary>What a domain capabilities query is answered for, and libvirt's errors for what kvm-vmm does not run.</summary>
public sealed class DomainCapabilityQueryTests
{
    private const string Vmm = "/usr/bin/kvm-vmm";

    [TestCase("", "", "", "", "x86_64", "pc", "kvm")]
    [TestCase(Vmm, "x86_64", "q35", "kvm", "x86_64", "q35", "kvm")]
    [TestCase("", "x86_64", "pc", "", "x86_64", "pc", "kvm")]
    [TestCase("", "", "pc-q35-7.2", "", "x86_64", "pc-q35-7.2", "kvm")]
    [TestCase("", "", "pc-i440fx-2.9", "kvm", "x86_64", "pc-i440fx-2.9", "kvm")]
    [TestCase("", "", "pc-i440fx-8.2.0", "", "x86_64", "pc-i440fx-8.2.0", "kvm")]
    public void Resolve_WhatDefineAndStartAccept_AnsweredWithDefaults(string emulator, string arch, string machine, string virtType,
        string expectedArch, string expectedMachine, string expectedVirtType)
    {
        var target = DomainCapabilityQuery.Resolve(emulator, arch, machine, virtType, Vmm);
        Assert.That(target, Is.EqualTo(new DomainCapabilityTarget(Vmm, expectedArch, expectedMachine, expectedVirtType)));
    }

    [TestCase("", "", "virt", "", VirErrorCode.InvalidArg, "invalid argument: the machine 'virt' is not supported by emulator '/usr/bin/kvm-vmm'")]
    [TestCase("", "", "pc-q35-", "", VirErrorCode.InvalidArg, "invalid argument: the machine 'pc-q35-' is not supported by emulator '/usr/bin/kvm-vmm'")]
    [TestCase("", "", "isapc", "", VirErrorCode.InvalidArg, "invalid argument: the machine 'isapc' is not supported by emulator '/usr/bin/kvm-vmm'")]
    [TestCase("", "aarch64", "", "", VirErrorCode.ConfigUnsupported, "unsupported configuration: unable to find any emulator to serve 'aarch64' architecture")]
    [TestCase(Vmm, "aarch64", "", "", VirErrorCode.InvalidArg, "invalid argument: architecture from emulator 'x86_64' doesn't match given architecture 'aarch64'")]
    [TestCase("", "i686", "", "", VirErrorCode.InvalidArg, "invalid argument: Emulator '/usr/bin/kvm-vmm' does not support arch 'i686'")]
    [TestCase("", "x86", "", "", VirErrorCode.InvalidArg, "invalid argument: unknown architecture: x86")]
    [TestCase("", "", "", "qemu", VirErrorCode.InvalidArg, "invalid argument: Emulator '/usr/bin/kvm-vmm' does not support virt type 'qemu'")]
    [TestCase("", "", "", "kvmx", VirErrorCode.InvalidArg, "invalid argument: unknown virttype: kvmx")]
    [TestCase("/nonexistent/qemu", "", "", "", VirErrorCode.SystemError, "Cannot check QEMU binary /nonexistent/qemu: No such file or directory")]
    public void Resolve_WhatKvmVmmDoesNotRun_LibvirtsError(string emulator, string arch, string machine, string virtType, VirErrorCode code, string message)
    {
        Assert.That(() => DomainCapabilityQuery.Resolve(emulator, arch, machine, virtType, Vmm),
            Throws.TypeOf<DomainOperationException>().With.Message.EqualTo(message).And.Property(nameof(DomainOperationException.Code)).EqualTo(code));
    }
}
