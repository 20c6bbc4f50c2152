using System.Diagnostics;

namespace Kvm.DBus.Tests.Bus;

/// <summary>gdbus (Debian package libglib2.0-bin): call, introspect (which reads properties with GetAll) and monitor a signal.</summary>
[TestFixture]
[Category("DBusDaemon")]
[CancelAfter(60000)]
public sealed class GDBusTests : BusFixture
{
    [SetUp]
    public void RequireTool() => ExternalTool.Require(ExternalTool.GDBus, "libglib2.0-bin");

    [Test]
    public void Call_Add_PrintsTuple() =>
        Assert.That(ExternalTool.Check(ExternalTool.GDBus, "call", "--address", Daemon.Address, "--dest", ServiceName,
            "--object-path", ObjectPath, "--method", "org.kvm.Test.Add", "2", "3").Trim(), Is.EqualTo("(5,)"));

    [Test]
    public void Call_Summarise_DictOfVariants() =>
        Assert.That(ExternalTool.Check(ExternalTool.GDBus, "call", "--address", Daemon.Address, "--dest", ServiceName,
            "--object-path", ObjectPath, "--method", "org.kvm.Test.Summarise", "{'a': <1>, 'b': <'x'>, 'c': <[1, 2]>}").Trim(),
            Is.EqualTo("(uint32 3, ['a', 'b', 'c'])"));

    [Test]
    public void Call_UnknownMethod_StandardError()
    {
        (int exit, _, string stderr) = ExternalTool.Run(ExternalTool.GDBus, "call", "--address", Daemon.Address, "--dest", ServiceName,
            "--object-path", ObjectPath, "--method", "org.kvm.Test.Nope");
        Assert.That(exit, Is.Not.EqualTo(0));
        Assert.That(stderr, Does.Contain("org.freedesktop.DBus.Error.UnknownMethod"));
    }

    [Test]
    public void Introspect_ShowsMethodsSignalsPropertiesAndChildren()
    {
        string output = ExternalTool.Check(ExternalTool.GDBus, "introspect", "--address", Daemon.Address, "--dest", ServiceName, "--object-path", ObjectPath);
        Assert.That(output, Does.Contain("interface org.kvm.Test {")
            .And.Contain("Echo(in  s text,")
            .And.Contain("Ping(s text);")
            .And.Contain("readwrite s Label = ")
            .And.Contain("readonly u Count = ")
            .And.Contain("node domain {"));
    }

    [Test]
    public void SetProperty_ThroughPropertiesSet_ThenGet()
    {
        string[] common = ["call", "--address", Daemon.Address, "--dest", ServiceName, "--object-path", ObjectPath + "/domain/_1"];
        ExternalTool.Check(ExternalTool.GDBus, [.. common, "--method", "org.freedesktop.DBus.Properties.Set", "org.kvm.Test", "Label", "<'set by gdbus'>"]);
        Assert.That(ExternalTool.Check(ExternalTool.GDBus, [.. common, "--method", "org.freedesktop.DBus.Properties.Get", "org.kvm.Test", "Label"]).Trim(),
            Is.EqualTo("(<'set by gdbus'>,)"));
    }

    [Test]
    public async Task Monitor_SeesSignalEmittedByOurService()
    {
        using Process monitor = ExternalTool.Start(ExternalTool.GDBus, "monitor", "--address", Daemon.Address, "--dest", ServiceName, "--object-path", ObjectPath);
        try
        {
            var lines = new List<string>();
            var seen = new TaskCompletionSource();
            monitor.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    return;
                }
                lock (lines) { lines.Add(e.Data); }
                if (e.Data.Contains("org.kvm.Test.Ping"))
                {
                    seen.TrySetResult();
                }
            };
            monitor.BeginOutputReadLine();
            // gdbus monitor adds its match asynchronously: emit until it reports the signal.
            for (int attempt = 0; attempt < 50 && !seen.Task.IsCompleted; attempt++)
            {
                using (await Calls.CallAsync(Client, ServiceName, ObjectPath, TestInterface.Name, "EmitPing", "s", "to gdbus"))
                {
                }
                await Task.WhenAny(seen.Task, Task.Delay(200));
            }
            Assert.That(seen.Task.IsCompleted, Is.True, "gdbus monitor printed the signal");
            lock (lines)
            {
                Assert.That(lines, Has.Some.Contains("/org/kvm/test: org.kvm.Test.Ping ('to gdbus',)"));
            }
        }
        finally
        {
            monitor.Kill();
        }
    }
}
