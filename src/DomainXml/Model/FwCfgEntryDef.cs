namespace Kvm.DomainXml.Model;

/// <summary>
/// One <c>&lt;sysinfo type='fwcfg'&gt;&lt;entry name='opt/...'&gt;</c>: a named blob the hypervisor's fw_cfg device
/// gives the guest, either the element's text (<see cref="Value"/>) or a host file's content (<see cref="File"/>).
/// </summary>
public sealed record FwCfgEntryDef(string Name, string? Value, string? File);
