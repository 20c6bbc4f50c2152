using System.Diagnostics;

namespace Kvm.Driver.Tests.Api;

/// <summary>Runs the external D-Bus clients; a missing one makes the test say which Debian package to install.</summary>
internal static class ExternalTool
{
    public const string DBusSend = "/usr/bin/dbus-send";
    public const string GDBus = "/usr/bin/gdbus";
    public const string Busctl = "/usr/bin/busctl";
    public const string Python = "/usr/bin/python3";

    public static void Require(string path, string package)
    {
        if (!File.Exists(path))
        {
            Assert.Ignore($"{path} is missing: install the Debian package {package}");
        }
    }

    public static void RequirePythonDBus()
    {
        Require(Python, "python3");
        (int exit, _, string stderr) = Run(null, Python, "-c", "import dbus, dbus.mainloop.glib; from gi.repository import GLib");
        if (exit != 0)
        {
            Assert.Ignore($"python3-dbus with GLib is missing for {Python}: install the Debian packages python3-dbus python3-gi ({stderr.Trim()})");
        }
    }

    /// <summary>python3-libvirt (libvirt's own Python bindings), or the test is ignored saying what to install.</summary>
    public static void RequirePythonLibvirt()
    {
        Require(Python, "python3");
        (int exit, _, string stderr) = Run(null, Python, "-c", "import libvirt");
        if (exit != 0)
        {
            Assert.Ignore($"python3-libvirt is missing for {Python}: install the Debian package python3-libvirt ({stderr.Trim()})");
        }
    }

    /// <summary>Runs a tool with DBUS_SESSION_BUS_ADDRESS set to <paramref name="busAddress"/> (so --session/--user mean the private bus).</summary>
    public static (int Exit, string Stdout, string Stderr) Run(string? busAddress, string file, params string[] args) =>
        Run(busAddress, TimeSpan.FromSeconds(30), file, args);

    /// <summary>As <see cref="Run(string?, string, string[])"/>, failing the test when the tool takes longer than <paramref name="timeout"/>.</summary>
    public static (int Exit, string Stdout, string Stderr) Run(string? busAddress, TimeSpan timeout, string file, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment.Remove("DBUS_SESSION_BUS_ADDRESS");
        if (busAddress is not null)
        {
            start.Environment["DBUS_SESSION_BUS_ADDRESS"] = busAddress;
        }
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish in {timeout.TotalSeconds:0} s: {stdout.Result}{stderr.Result}");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
