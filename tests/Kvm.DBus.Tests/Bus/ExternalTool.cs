using System.Diagnostics;

namespace Kvm.DBus.Tests.Bus;

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
        (int exit, _, string stderr) = Run(Python, "-c", "import dbus, dbus.service, dbus.mainloop.glib; from gi.repository import GLib");
        if (exit != 0)
        {
            Assert.Ignore($"python3-dbus with GLib is missing for {Python}: install the Debian packages python3-dbus python3-gi ({stderr.Trim()})");
        }
    }

    public static (int Exit, string Stdout, string Stderr) Run(string file, params string[] args)
    {
        using Process process = Start(file, args);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(20000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish in 20 s");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    public static Process Start(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment.Remove("DBUS_SESSION_BUS_ADDRESS");
        return Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
    }

    /// <summary>Runs and asserts success, returning standard output.</summary>
    public static string Check(string file, params string[] args)
    {
        (int exit, string stdout, string stderr) = Run(file, args);
        Assert.That(exit, Is.EqualTo(0), $"{Path.GetFileName(file)} {string.Join(' ', args)} failed: {stderr}");
        return stdout;
    }
}
