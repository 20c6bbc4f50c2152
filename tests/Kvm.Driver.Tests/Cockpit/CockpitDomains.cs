namespace Kvm.Driver.Tests.Cockpit;

/// <summary>The domains the Cockpit test defines in kvmd before it opens the page: one with a machine, one without.</summary>
internal static class CockpitDomains
{
    /// <summary>q35, 512 MiB, 2 vCPUs, a qcow2 disk at <paramref name="disk"/> as vda and a virtio interface (the details page shows each).</summary>
    public static string WithMachine(string disk) => $"""
        <domain type='kvm'>
          <name>with-machine</name>
          <memory unit='MiB'>512</memory>
          <vcpu>2</vcpu>
          <os><type arch='x86_64' machine='q35'>hvm</type></os>
          <devices>
            <disk type='file' device='disk'>
              <driver name='qemu' type='qcow2'/>
              <source file='{disk}'/>
              <target dev='vda' bus='virtio'/>
            </disk>
            <interface type='user'>
              <mac address='52:54:00:12:34:56'/>
              <model type='virtio'/>
            </interface>
          </devices>
        </domain>
        """;

    /// <summary>No machine attribute: kvmd gives it its default machine, and it must still be listed.</summary>
    public const string WithoutMachine = """
        <domain type='kvm'>
          <name>without-machine</name>
          <memory unit='MiB'>256</memory>
          <vcpu>1</vcpu>
          <os><type arch='x86_64'>hvm</type></os>
        </domain>
        """;
}
