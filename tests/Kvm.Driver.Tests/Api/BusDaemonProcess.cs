using System.Diagnostics;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Tests.Api;

/// <summary>Starts an org.libvirt daemon (kvmd or libvirt-dbus) on a private session bus and waits until it owns its name.</summary>
internal static class BusDaemonProcess
{
    /// <summary>
    /// Starts <paramref name="file"/> with DBUS_SESSION_BUS_ADDRESS set to <paramref name="busAddress"/>, its output
    /// drained (each line to <paramref name="output"/> when given); returns once org.libvirt has an owner, or kills it and
    /// throws after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<Process> StartAsync(string file, string busAddress, TimeSpan timeout, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null, Action<string>? output = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DBUS_SESSION_BUS_ADDRESS"] = busAddress;
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        if (output is null)
        {
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
        }
        else
        {
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) output(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }
        using DBusConnection client = await BusClient.ConnectAsync(busAddress);
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                await BusClient.GetNameOwnerAsync(client, "org.libvirt");
                return process;
            }
            catch (DBusErrorReplyException)
            {
                await Task.Delay(50);
            }
        }

        process.Kill();
        await process.WaitForExitAsync();
        process.Dispose();
        throw new TimeoutException($"{Path.GetFileName(file)} did not take org.libvirt within {timeout.TotalSeconds:0} s");
    }
}
