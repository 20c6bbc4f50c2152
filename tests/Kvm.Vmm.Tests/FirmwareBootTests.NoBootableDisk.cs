using Kvm.Qmp.Client;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// A guest with nothing to boot, as under QEMU: SeaBIOS says "No bootable device.", waits the
/// <c>&lt;bios rebootTimeout&gt;</c> the XML gives and resets the machine (a RESET event; the BIOS runs again), and
/// the monitor answers throughout.
/// </summary>
public sealed partial class FirmwareBootTests
{
    [EmulatorRetry]
    [Test]
    public async Task SeaBios_NoBootableDisk_SaysSoRetriesAfterTheRebootTimeoutAndTheMonitorAnswers()
    {
        string blank = Path.Combine(_directory, "blank.raw");
        using (var file = File.Create(blank))
        {
            file.SetLength(8 << 20); // no MBR signature: nothing for the BIOS to boot
        }

        string console = Path.Combine(_directory, "console.log");
        string socket = Path.Combine(_directory, "qmp.sock");
        string xml = Path.Combine(_directory, "guest.xml");
        File.WriteAllText(xml, $"""
            <domain type='kvm'>
              <name>nothing-to-boot</name>
              <memory unit='MiB'>128</memory>
              <vcpu>1</vcpu>
              <os>
                <type arch='x86_64' machine='pc'>hvm</type>
                <boot dev='hd'/>
                <bios rebootTimeout='1000'/>
              </os>
              <devices>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='raw'/>
                  <source file='{blank}'/>
                  <target dev='vda' bus='virtio'/>
                </disk>
                <serial type='file'>
                  <source path='{console}'/>
                </serial>
              </devices>
            </domain>
            """);
        using var vmm = VmmProcessTests.StartVmm("--domain-xml", xml, "--qmp", $"unix:{socket},server");
        await using var qmp = await QmpClient.ConnectAsync($"unix:{socket}",
            new QmpClientOptions { ConnectTimeout = TimeSpan.FromMinutes(2), CommandTimeout = TimeSpan.FromMinutes(1) });

        var reset = await VmmProcessTests.NextEventAsync(qmp, "RESET", s_bootTimeout);
        string output = VmmProcessTests.ReadShared(console);
        Assert.That(reset, Is.Not.Null, "the BIOS did not reset the machine after its reboot timeout; console:\n" + output);
        Assert.That(reset!.Data?.ToJsonString(), Is.EqualTo("""{"guest":true,"reason":"guest-reset"}"""));
        Assert.That(output, Does.Contain("No bootable device.  Retrying in 1 seconds."), "the BIOS's own words, with the XML's timeout");

        var status = await qmp.ExecuteAsync("query-status");
        Assert.That(status!["status"]!.GetValue<string>(), Is.EqualTo("running"), "the machine runs again after the reset");
        await qmp.ExecuteAsync("quit");
        Assert.That(vmm.WaitForExit(60_000), Is.True, "kvm-vmm did not end on quit");
    }
}
