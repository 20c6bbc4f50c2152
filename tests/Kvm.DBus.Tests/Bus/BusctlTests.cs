using System.Diagnostics;
using Kvm.DBus.Protocol;

namespace Kvm.DBus.Tests.Bus;

/// <summary>busctl (Debian package systemd) against our service, and a signal it emits into our client.</summary>
[TestFixture]
[Category("DBusDaemon")]
[CancelAfter(60000)]
public sealed class BusctlTests : BusFixture
{
    [SetUp]
    public void RequireTool() => ExternalTool.Require(ExternalTool.Busctl, "systemd");

    private string Address => "--address=" + Daemon.Address;

    [Test]
    public void Call_Add_PrintsResult() =>
        Assert.That(ExternalTool.Check(ExternalTool.Busctl, Address, "call", ServiceName, ObjectPath, "org.kvm.Test", "Add", "ii", "20", "22").Trim(),
            Is.EqualTo("i 42"));

    [Test]
    public void Introspect_ListsMembersAndPropertyValues()
    {
        string output = ExternalTool.Check(ExternalTool.Busctl, Address, "introspect", ServiceName, ObjectPath, "org.kvm.Test");
        Assert.That(output, Does.Match(@"\.Echo\s+method\s+s\s+s"));
        Assert.That(output, Does.Match(@"\.Ping\s+signal\s+s"));
        Assert.That(output, Does.Match(@"\.Label\s+property\s+s\s+""initial""\s+emits-change writable"));
    }

    [Test]
    public void Tree_ShowsSubtreeChildren()
    {
        string output = ExternalTool.Check(ExternalTool.Busctl, Address, "tree", ServiceName);
        Assert.That(output, Does.Contain("/org/kvm/test/domain/_1").And.Contain("/org/kvm/test/domain/_2"));
    }

    [Test]
    public void SetAndGetProperty()
    {
        ExternalTool.Check(ExternalTool.Busctl, Address, "set-property", ServiceName, ObjectPath + "/domain/_2", "org.kvm.Test", "Label", "s", "busctl");
        Assert.That(ExternalTool.Check(ExternalTool.Busctl, Address, "get-property", ServiceName, ObjectPath + "/domain/_2", "org.kvm.Test", "Label").Trim(),
            Is.EqualTo("s \"busctl\""));
    }

    [Test]
    public async Task Monitor_SeesSignalEmittedByOurService()
    {
        using Process monitor = ExternalTool.Start(ExternalTool.Busctl, Address, "monitor", "--match", "type='signal',interface='org.kvm.Test',member='Ping'");
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
                if (e.Data.Contains("STRING \"to busctl\";"))
                {
                    seen.TrySetResult();
                }
            };
            monitor.BeginOutputReadLine();
            // busctl becomes a monitor asynchronously: emit until it prints the signal.
            for (int attempt = 0; attempt < 50 && !seen.Task.IsCompleted; attempt++)
            {
                using (await Calls.CallAsync(Client, ServiceName, ObjectPath, TestInterface.Name, "EmitPing", "s", "to busctl"))
                {
                }
                await Task.WhenAny(seen.Task, Task.Delay(200));
            }
            Assert.That(seen.Task.IsCompleted, Is.True, "busctl monitor printed the signal");
            lock (lines)
            {
                Assert.That(lines, Has.Some.Match(@"Sender=:1\.\d+\s+Path=/org/kvm/test\s+Interface=org\.kvm\.Test\s+Member=Ping"));
            }
        }
        finally
        {
            monitor.Kill();
        }
    }

    [Test]
    public async Task Emit_SignalReachesOurClient()
    {
        var received = new TaskCompletionSource<string>();
        await using IAsyncDisposable watch = await Client.WatchSignalAsync(new MatchRule { Interface = "org.kvm.External", Member = "FromBusctl" },
            m => received.TrySetResult(m.GetBodyReader().ReadString()));
        ExternalTool.Check(ExternalTool.Busctl, Address, "emit", "/org/kvm/external", "org.kvm.External", "FromBusctl", "s", "hi from busctl");
        Assert.That(await received.Task.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo("hi from busctl"));
    }
}
