using System.Diagnostics;
using Kvm.Driver.Storage;
using Kvm.Driver.Tests.Api;
using Kvm.Driver.Tests.Kvmctl;

namespace Kvm.Driver.Tests.EndToEnd;

/// <summary>
/// kvmd's start with its directories as an attacker or a crash left them: a state directory anyone may write to is
/// refused with a message naming the fix; temporary files of interrupted writes are gone once kvmd serves.
/// </summary>
[Category("DBusDaemon")]
[CancelAfter(120_000)]
public sealed class KvmdDirectoriesTests
{
    private PrivateBus? _bus;
    private string _directory = null!;

    private string State => Path.Combine(_directory, "state");

    private string Runtime => Path.Combine(_directory, "run");

    [SetUp]
    public void SetUp()
    {
        _bus = PrivateBus.Start();
        _directory = Directory.CreateTempSubdirectory("kvmd-dirs-").FullName;
    }

    [TearDown]
    public void TearDown()
    {
        _bus?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public void Start_WorldWritableStateDirectory_RefusedWithTheFixAndNothingWritten()
    {
        Directory.CreateDirectory(State);
        File.SetUnixFileMode(State, (UnixFileMode)0b111_111_111);
        var start = new ProcessStartInfo(Executable.Kvmd.Path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "--session", "--no-rpc", "--state-dir", State, "--runtime-dir", Runtime })
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["DBUS_SESSION_BUS_ADDRESS"] = _bus!.Address;
        using var kvmd = Process.Start(start)!;
        var stdout = kvmd.StandardOutput.ReadToEndAsync();
        var stderr = kvmd.StandardError.ReadToEndAsync();
        Assert.That(kvmd.WaitForExit(30_000), Is.True, "kvmd refuses and exits");
        Assert.That(kvmd.ExitCode, Is.EqualTo(1));
        Assert.That(stdout.Result + stderr.Result, Does.Contain(
            $"The state directory {State} has mode 0777, writable by its group or others: make it 0700 (chmod 0700 '{State}') after checking its files"));
        Assert.That(Directory.GetFileSystemEntries(State), Is.Empty);
        Assert.That(Directory.Exists(Runtime), Is.False, "nothing done after the refusal");
    }

    [Test]
    public async Task Start_LeftoversOfInterruptedWrites_RemovedAndTheDefinitionKept()
    {
        Directory.CreateDirectory(State, PrivateDirectory.Mode);
        File.WriteAllText(Path.Combine(State, "kept.xml"), TestDomains.Xml("kept"));
        Directory.CreateDirectory(Path.Combine(State, "networks"));
        for (int i = 0; i < 50; i++)
        {
            File.WriteAllText(Path.Combine(State, AtomicFile.TempPrefix + "kept.xml." + i.ToString("x8", System.Globalization.CultureInfo.InvariantCulture)), "<dom");
            File.WriteAllText(Path.Combine(State, "networks", AtomicFile.TempPrefix + Guid.NewGuid().ToString("N")), "<net");
        }

        using Process kvmd = await BusDaemonProcess.StartAsync(Executable.Kvmd.Path, _bus!.Address, TimeSpan.FromSeconds(20),
            ["--session", "--no-rpc", "--state-dir", State, "--runtime-dir", Runtime]);
        try
        {
            Assert.That(Directory.GetFiles(State, AtomicFile.TempPrefix + "*", SearchOption.AllDirectories), Is.Empty);
            Executable.Result list = KvmctlProcess.Kvmctl(_bus.Address, null, "list", "--all", "--name");
            Assert.That((list.ExitCode, list.Stdout), Is.EqualTo((0, "kept\n\n")), list.Stderr);
            Assert.That(File.GetUnixFileMode(Runtime), Is.EqualTo(PrivateDirectory.Mode));
        }
        finally
        {
            kvmd.Kill();
            await kvmd.WaitForExitAsync();
        }
    }
}
