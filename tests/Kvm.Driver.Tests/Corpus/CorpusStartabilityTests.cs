using Kvm.DomainXml;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Tests;
using Kvm.Vmm.Support;

namespace Kvm.Driver.Tests.Corpus;

/// <summary>
/// Of libvirt's x86_64 test domains (qemu-in, inputs libvirt defines), which kvm-vmm would start, by the same
/// description kvmd and kvm-vmm refuse with (<see cref="VmmSupport"/>): before firmware boot only domains with
/// <c>&lt;os&gt;&lt;kernel&gt;</c> qualified; now a domain that boots through SeaBIOS or OVMF does too. Prints the
/// counts and each refusal; fails if any domain whose devices kvm-vmm runs is refused for want of a kernel.
/// </summary>
public sealed class CorpusStartabilityTests
{
    [Test]
    public void X86Inputs_UsingOnlyEmulatedDevices_NoneIsRefusedForLackOfAKernel()
    {
        Kvm.DomainXml.Tests.Corpus.Require();
        var inputs = Kvm.DomainXml.Tests.Corpus.Manifest("qemu-manifest.tsv")
            .Where(r => r[1].StartsWith("x86_64", StringComparison.Ordinal) && r[2] is "ok" or "start-error")
            .Select(r => r[0]).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();
        Assert.That(inputs, Is.Not.Empty, "the manifest lists x86_64 inputs");

        int parsed = 0, devicesRun = 0, before = 0, after = 0;
        var refusals = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (string input in inputs)
        {
            DomainDef domain;
            try
            {
                domain = DomainXmlParser.Parse(File.ReadAllText(Kvm.DomainXml.Tests.Corpus.Path($"qemu-in/{input}.xml")), input,
                    DomainParseFlags.Inactive).Definition;
            }
            catch (DomainXmlException)
            {
                continue; // counted by the DomainXml corpus tests
            }

            parsed++;
            if (domain.Os.Type != "hvm" || (domain.Os.Arch ?? "x86_64") != "x86_64" || VmmSupport.Unsupported(domain.Devices).Any())
            {
                continue;
            }

            devicesRun++;
            bool machineRuns = domain.Os.Machine is null || VmmSupport.IsMachine(domain.Os.Machine);
            if (machineRuns && domain.Os.Kernel is not null && domain.Os.Loader is null)
            {
                before++; // the only way kvm-vmm booted before firmware
            }

            if (Refusal(domain.Os) is { } reason)
            {
                (refusals.TryGetValue(reason, out var names) ? names : refusals[reason] = []).Add(input);
            }
            else
            {
                after++;
            }
        }

        TestContext.Out.WriteLine($"x86_64 inputs libvirt defines: {inputs.Count}; parsed: {parsed}; devices all emulated: {devicesRun}");
        TestContext.Out.WriteLine($"kvm-vmm would start: before firmware boot {before}, now {after}");
        foreach (var (reason, names) in refusals)
        {
            TestContext.Out.WriteLine($"  refused ({names.Count}): {reason}: {string.Join(", ", names.Take(8))}{(names.Count > 8 ? ", ..." : "")}");
        }

        var forWantOfAKernel = refusals.Where(r => r.Key.Contains("kernel", StringComparison.Ordinal)
            && !r.Key.Contains("both <kernel> and <loader>", StringComparison.Ordinal)).ToList();
        Assert.That(forWantOfAKernel.Select(r => $"{r.Key}: {string.Join(", ", r.Value)}"), Is.Empty,
            "domains refused because they boot through firmware");
        Assert.That(after, Is.GreaterThan(before), "firmware boot starts domains that need no kernel");
    }

    /// <summary>
    /// Why the domain would not boot, after kvmd's part: a <c>firmware='efi'</c> domain without a loader gets OVMF
    /// from the firmware descriptors at start (secure boot excepted, which the VMM refuses), as libvirt resolves it.
    /// </summary>
    private static string? Refusal(OsDef os)
    {
        if (os.Firmware == "efi" && os.Loader is null && os.Kernel is null)
        {
            return os.LoaderDetails is { Secure: true } ? VmmSupport.Boot(os) : null;
        }

        // A read-only pflash loader without <nvram>: kvmd gives it nvram/NAME_VARS.fd from the matching template.
        if (VmmSupport.BootsFlash(os) && os.NvramDetails is null && os.LoaderDetails is { ReadOnly: not false, Secure: not true, Stateless: not true })
        {
            return null;
        }

        return VmmSupport.Boot(os);
    }
}
