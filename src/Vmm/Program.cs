using System.CommandLine;
using NLog;
using NLog.Targets;

namespace Kvm.Vmm;

/// <summary>kvm-vmm: one process per VM (the KVM machine arrives with issue 5, its monitor with issue 4).</summary>
public static class Program
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    public static async Task<int> Main(string[] args)
    {
        var domainXml = new Option<FileInfo?>("--domain-xml") { Description = "Run the domain described by this libvirt domain XML file" };
        var machine = new Option<string?>("--machine") { Description = "Machine type; 'none' gives a monitor without a VM" };
        var qmp = new Option<string[]>("--qmp") { Description = "QMP monitor endpoint: unix:PATH,server or tcp:127.0.0.1:PORT,server (repeatable)" };
        var debug = new Option<bool>("--debug") { Description = "Log every exit and monitor call" };

        var root = new RootCommand("kvm-vmm: a KVM virtual machine monitor with a QEMU-compatible QMP monitor")
        {
            domainXml, machine, qmp, debug,
        };
        root.SetAction(async (parse, cancellationToken) =>
        {
            LogManager.Setup().LoadConfiguration(b => b.ForLogger()
                .FilterMinLevel(parse.GetValue(debug) ? LogLevel.Debug : LogLevel.Info)
                .WriteTo(new ConsoleTarget("stderr") { StdErr = true, Layout = "kvm-vmm: ${level:uppercase=true} ${message}" }));
            if (parse.GetValue(machine) == "none")
            {
                return await Monitor.NoneMachineHost.RunAsync(parse.GetValue(qmp) ?? [], name: null, cancellationToken).ConfigureAwait(false);
            }

            s_log.Error("The virtual machine monitor is not implemented yet (issue 5); --machine none gives a monitor without a VM");
            return 2;
        });
        return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
    }
}
