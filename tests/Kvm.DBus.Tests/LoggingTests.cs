using Kvm.DBus.Service;
using Kvm.DBus.Transport;
using NLog;
using NLog.Config;
using NLog.Targets;

namespace Kvm.DBus.Tests;

/// <summary>One Debug line per message sent and received, headers only: a body never reaches the log.</summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(20000)]
public sealed class LoggingTests
{
    [Test]
    public async Task Call_DebugPerMessage_BodyNeverLogged()
    {
        var memory = new MemoryTarget("memory") { Layout = "${level} ${logger} ${message}" };
        var config = new LoggingConfiguration();
        config.AddRule(LogLevel.Trace, LogLevel.Fatal, memory);
        LogManager.Configuration = config;
        try
        {
            (InMemoryMessageStream a, InMemoryMessageStream b) = InMemoryMessageStream.CreatePair();
            await using var client = new DBusConnection(a);
            await using var server = new DBusConnection(b);
            server.AddMethodHandler(new ObjectHandler("/org/kvm/test", new TestInterface()));
            Assert.That(await Calls.EchoAsync(client, null, "/org/kvm/test", "secret-password-42"), Is.EqualTo("secret-password-42"));
        }
        finally
        {
            LogManager.Configuration = null;
        }
        IList<string> logs = memory.Logs;
        Assert.That(logs, Has.Some.Match("^Debug Kvm.DBus.DBusConnection Sending MethodCall \"?Echo\"? serial 1"));
        Assert.That(logs, Has.Some.Match("^Debug Kvm.DBus.DBusConnection Received MethodCall \"?org.kvm.Test\"?.\"?Echo\"? serial 1"));
        Assert.That(logs, Has.Some.Match("^Debug Kvm.DBus.DBusConnection Received MethodReturn .* reply-to 1"));
        Assert.That(logs, Has.None.Contain("secret-password-42"));
        Assert.That(logs.Where(l => l.StartsWith("Info", StringComparison.Ordinal)), Has.None.Contain("Echo"), "calls are not logged at Info");
    }
}
