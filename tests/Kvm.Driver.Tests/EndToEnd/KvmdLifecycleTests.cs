using Kvm.Vmm.Tests;

namespace Kvm.Driver.Tests.EndToEnd;

/// <summary>
/// As a user's D-Bus client: kvmd on a private bus, a guest on real KVM, and python3-dbus (kvmd_lifecycle.py) taking
/// the domain through define, start, suspend, resume, a shutdown the guest carries out itself, start, destroy and
/// undefine, checking libvirt's DomainEvent signals, GetState and the Active and Id properties at each step.
/// </summary>
[Category("Kvm")]
[CancelAfter(1_800_000)]
public sealed class KvmdLifecycleTests
{
    private KvmdOnPrivateBus? _kvmd;

    [SetUp]
    public void SetUp() => _kvmd = KvmdOnPrivateBus.Create("kvmd-life-");

    [TearDown]
    public void TearDown() => _kvmd?.Dispose();

    [EmulatorRetry]
    [Test]
    public async Task Lifecycle_OverDBus_SignalsStatesAndPropertiesAsLibvirt()
    {
        await _kvmd!.StartKvmdAsync();
        string console = Path.Combine(_kvmd.Directory, "console.log");
        string xml = Path.Combine(_kvmd.Directory, "guest.xml");
        File.WriteAllText(xml, $"""
            <domain type='kvm'>
              <name>dbus-life</name>
              <memory unit='MiB'>256</memory>
              <vcpu>1</vcpu>
              <os>
                <type arch='x86_64'>hvm</type>
                <kernel>{GuestImages.KernelPath()}</kernel>
                <initrd>{GuestImages.BuildInitramfs(_kvmd.Directory, GuestImages.WaitForPowerButton)}</initrd>
                <cmdline>console=ttyS0 reboot=k panic=1 pci=off no_timer_check</cmdline>
              </os>
              <on_poweroff>destroy</on_poweroff>
              <devices>
                <serial type='file'><source path='{console}'/></serial>
              </devices>
            </domain>
            """);

        _kvmd.RunScript("kvmd_lifecycle.py", xml, console, TimeSpan.FromMinutes(25));
    }
}
