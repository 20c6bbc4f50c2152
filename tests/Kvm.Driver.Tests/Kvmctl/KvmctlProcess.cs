using System.Diagnostics;

namespace Kvm.Driver.Tests.Kvmctl;

/// <summary>
/// Runs the built kvmctl against a private session bus (KVMCTL_BUS=session, DBUS_SESSION_BUS_ADDRESS, and the
/// Connect object in KVMCTL_OBJECT_PATH), and virsh on libvirt's test:///default, capturing both as they print.
/// </summary>
internal static class KvmctlProcess
{
    public const string Virsh = "/usr/bin/virsh";

    public static Executable.Result Kvmctl(string? busAddress, string? connectPath, params string[] args)
    {
        var environment = new Dictionary<string, string?>
        {
            ["DBUS_SESSION_BUS_ADDRESS"] = busAddress,
            ["KVMCTL_BUS"] = "session",
            ["KVMCTL_OBJECT_PATH"] = connectPath,
        };
        return Run(Executable.Kvmctl.Path, environment, args);
    }

    /// <summary>virsh -c test:///default with the commands joined by ';' (one process, so state carries over).</summary>
    public static Executable.Result VirshTest(params string[] commands)
    {
        if (!File.Exists(Virsh))
        {
            Assert.Ignore($"{Virsh} is missing: the comparison runs the real virsh; install the Debian package libvirt-clients");
        }
        return Run(Virsh, new Dictionary<string, string?> { ["LC_ALL"] = "C" }, ["-c", "test:///default", string.Join(" ; ", commands)]);
    }

    private static Executable.Result Run(string file, Dictionary<string, string?> environment, string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Executable.RepositoryRoot,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach ((string name, string? value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Close();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not exit within 60 s");
        }
        process.WaitForExit();
        return new Executable.Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
