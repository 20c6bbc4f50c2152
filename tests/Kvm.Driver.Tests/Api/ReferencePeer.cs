using System.Diagnostics;

namespace Kvm.Driver.Tests.Api;

/// <summary>
/// The real libvirt-dbus (Debian package libvirt-dbus 1.4.1) on a private bus of its own, serving libvirt's
/// test:///default at /org/libvirt/Test with fresh state per start (shared/corpus/libvirt-dbus/reference-peer).
/// </summary>
internal sealed class ReferencePeer : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/libvirt-dbus";
    public const string ConnectPath = "/org/libvirt/Test";
    public const string TestDomainPath = "/org/libvirt/Test/domain/_6695eb01_f6a4_8304_79aa_97f2502e193f";
    private readonly Process _process;

    private ReferencePeer(Process process) => _process = process;

    /// <summary>Ignores the test, saying why, when libvirt-dbus is not installed.</summary>
    public static void Require()
    {
        if (!File.Exists(Executable))
        {
            Assert.Ignore($"{Executable} is missing: the comparison runs the real libvirt-dbus; install the Debian package libvirt-dbus");
        }
    }

    public static async Task<ReferencePeer> StartAsync(string busAddress)
    {
        Require();
        Process process = await BusDaemonProcess.StartAsync(Executable, busAddress, TimeSpan.FromSeconds(5), ["--session"],
            new Dictionary<string, string> { ["LIBVIRT_DEBUG"] = "3" });
        return new ReferencePeer(process);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        _process.Dispose();
    }
}
