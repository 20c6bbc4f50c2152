using System.Diagnostics;
using Kvm.Driver.Api;
using Kvm.Driver.Tests.Api;
using Kvm.Vmm.Tests;

namespace Kvm.Driver.Tests.EndToEnd;

/// <summary>
/// What the end-to-end Kvm tests share: a private dbus-daemon, kvmd on it (session mode, its state and runtime
/// directories in a temporary directory, the kvm-vmm under test), and a python3-dbus script from this directory run
/// against it as a user's client would. Dispose stops kvmd, kills any VMM it left and removes everything.
/// </summary>
internal sealed class KvmdOnPrivateBus : IDisposable
{
    private Process? _kvmd;

    private KvmdOnPrivateBus(PrivateBus bus, string directory)
    {
        Bus = bus;
        Directory = directory;
    }

    public PrivateBus Bus { get; }

    /// <summary>The temporary directory: kvmd's state and run directories live under it, and so may the test's files.</summary>
    public string Directory { get; }

    /// <summary>
    /// A bus and a directory (prefix <paramref name="prefix"/>), or Assert.Ignore where there is no /dev/kvm or no
    /// harness kernel and modules (outside tools/nested-kvm/nested-kvm.sh).
    /// </summary>
    public static KvmdOnPrivateBus Create(string prefix)
    {
        if (!File.Exists("/dev/kvm") || GuestImages.KernelPath() is null || GuestImages.ModulesPath() is null)
        {
            Assert.Ignore("needs /dev/kvm, KVM_NESTED_KERNEL and KVM_NESTED_MODULES: run the Kvm category inside tools/nested-kvm/nested-kvm.sh");
        }

        ExternalTool.RequirePythonDBus();
        var bus = PrivateBus.Start();
        return new KvmdOnPrivateBus(bus, System.IO.Directory.CreateTempSubdirectory(prefix).FullName);
    }

    public async Task StartKvmdAsync()
    {
        _kvmd = await BusDaemonProcess.StartAsync(Executable.Kvmd.Path, Bus.Address, TimeSpan.FromMinutes(2),
        [
            "--session", "--state-dir", Path.Combine(Directory, "state"), "--runtime-dir", Path.Combine(Directory, "run"),
            "--vmm", Executable.KvmVmm.Path, "--vmm-timeout", "300", "--rpc-socket", Path.Combine(Directory, "virtqemud-sock"),
        ]);
    }

    /// <summary>
    /// Runs EndToEnd/<paramref name="script"/> with the bus address, Connect's path, <paramref name="xml"/> and
    /// <paramref name="console"/>, and asserts that it ends with exit 0 and "ok" (its output and the console otherwise).
    /// </summary>
    public void RunScript(string script, string xml, string console, TimeSpan timeout, params string[] more)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "EndToEnd", script);
        (int exit, string stdout, string stderr) = ExternalTool.Run(Bus.Address, timeout, ExternalTool.Python,
            [path, Bus.Address, LibvirtPaths.Connect, xml, console, .. more]);
        string guest = File.Exists(console) ? File.ReadAllText(console) : "(no console output)";
        Assert.That((exit, stdout.TrimEnd().Split('\n')[^1]), Is.EqualTo((0, "ok")),
            $"{stdout}\n{stderr}\n--- the guest's console:\n{guest}");
    }

    public void Dispose()
    {
        if (_kvmd is not null)
        {
            _kvmd.Kill();
            _kvmd.WaitForExit(10_000);
            _kvmd.Dispose();
        }

        // A VM the test left behind names the runtime directory on its command line.
        using (var pkill = Process.Start("pkill", ["-KILL", "-f", Path.Combine(Directory, "run")]))
        {
            pkill.WaitForExit(10_000);
        }

        Bus.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
