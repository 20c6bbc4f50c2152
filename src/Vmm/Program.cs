using System.CommandLine;
using Kvm.Vmm.Launch;
using NLog;
using NLog.Targets;

namespace Kvm.Vmm;

/// <summary>kvm-vmm: one process per VM. A domain XML file or QEMU-like options describe the VM; QMP controls it.</summary>
public static class Program
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    public static async Task<int> Main(string[] args)
    {
        var domainXml = new Option<FileInfo?>("--domain-xml") { Description = "Run the domain described by this libvirt domain XML file" };
        var machine = new Option<string?>("--machine") { Description = "Machine type; 'none' gives a monitor without a VM" };
        var qmp = new Option<string[]>("--qmp") { Description = "QMP monitor endpoint: unix:PATH,server or tcp:127.0.0.1:PORT,server (repeatable)" };
        var kernel = new Option<string?>("--kernel") { Description = "Boot this Linux kernel (bzImage) directly, without a domain XML file" };
        var initrd = new Option<string?>("--initrd") { Description = "Initial ramdisk for --kernel" };
        var append = new Option<string?>("--append") { Description = "Kernel command line for --kernel" };
        var memory = new Option<ulong>("--memory", "-m") { Description = "Guest memory in MiB for --kernel", DefaultValueFactory = _ => 256 };
        var smp = new Option<int>("--smp") { Description = "vCPUs for --kernel", DefaultValueFactory = _ => 1 };
        var name = new Option<string?>("--name") { Description = "VM name for --kernel (query-name)" };
        var serial = new Option<string>("--serial") { Description = "COM1 for --kernel: stdio, pty, null, file:PATH or unix:PATH (a socket kvm-vmm listens on)", DefaultValueFactory = _ => "stdio" };
        var paused = new Option<bool>("--paused", "-S") { Description = "Build the VM but do not start its vCPUs until QMP cont" };
        var noShutdown = new Option<bool>("--no-shutdown")
        {
            Description = "As QEMU's -no-shutdown: a guest power-off stops the VM (status shutdown) instead of ending kvm-vmm; system_reset and cont run it again",
        };
        var ignoreUnsupported = new Option<bool>("--ignore-unsupported") { Description = "Run a domain whose XML names devices kvm-vmm does not emulate, without them" };
        var debug = new Option<bool>("--debug") { Description = "Log every exit and monitor call" };
        var debugExit = new Option<string?>("--debug-exit")
        {
            Description = "Give the guest QEMU's isa-debug-exit (iobase=0x501,iosize=2 unless given): its write of v ends kvm-vmm with status (v << 1) | 1",
            Arity = ArgumentArity.ZeroOrOne,
        };

        var root = new RootCommand("kvm-vmm: a KVM virtual machine monitor with a QEMU-compatible QMP monitor")
        {
            domainXml, machine, qmp, kernel, initrd, append, memory, smp, name, serial, paused, noShutdown, ignoreUnsupported, debug, debugExit,
        };
        root.SetAction(async (parse, cancellationToken) =>
        {
            LogManager.Setup().LoadConfiguration(b => b.ForLogger()
                .FilterMinLevel(parse.GetValue(debug) ? LogLevel.Debug : LogLevel.Info)
                .WriteTo(new ConsoleTarget("stderr") { StdErr = true, Layout = "kvm-vmm: ${level:uppercase=true} ${message}" }));
            string[] monitors = parse.GetValue(qmp) ?? [];
            if (parse.GetValue(machine) == "none")
            {
                return await Monitor.NoneMachineHost.RunAsync(monitors, name: null, cancellationToken).ConfigureAwait(false);
            }

            LaunchPlan plan;
            try
            {
                // Before the plan, which may already hold the serial endpoint (a pty, a listening socket).
                Machine.DebugExitConfig? debugExitOption = parse.GetResult(debugExit) is not null ? DebugExitOption.Parse(parse.GetValue(debugExit)) : null;
                plan = parse.GetValue(domainXml) is { } file
                    ? LaunchFromXml.Plan(file.FullName, parse.GetValue(ignoreUnsupported), message => s_log.Warn("{Warning}", message))
                    : parse.GetValue(kernel) is { } kernelPath
                        ? LaunchFromOptions.Plan(kernelPath, parse.GetValue(initrd), parse.GetValue(append), parse.GetValue(memory),
                            parse.GetValue(smp), parse.GetValue(name), parse.GetValue(serial)!)
                        : throw new LaunchException("nothing to run: give --domain-xml FILE, --kernel FILE, or --machine none");
                if (debugExitOption is not null)
                {
                    plan = plan with { Machine = plan.Machine with { DebugExit = debugExitOption } };
                }
            }
            catch (LaunchException e)
            {
                s_log.Error("{Error}", e.Message);
                return 2;
            }

            using (plan.Serial)
            {
                try
                {
                    return await Monitor.VmHost.RunAsync(plan, monitors, parse.GetValue(paused), parse.GetValue(noShutdown), cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    // The machine is gone (its device threads stopped): the images are flushed and unlocked.
                    foreach (var disk in plan.Machine.Disks)
                    {
                        disk.Backend.Flush();
                        disk.Backend.Dispose();
                    }

                    // Closing a tap kvm-vmm created removes it (and takes it off its bridge).
                    foreach (var nic in plan.Machine.Nics)
                    {
                        nic.Close();
                    }

                    // Closing /dev/vhost-vsock frees the guest's CID.
                    plan.Machine.Vsock?.Vhost.Dispose();
                }
            }
        });
        return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
    }
}
