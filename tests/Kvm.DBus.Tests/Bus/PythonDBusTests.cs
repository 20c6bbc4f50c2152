using System.Diagnostics;
using System.Text.Json;
using Kvm.DBus.Protocol;

namespace Kvm.DBus.Tests.Bus;

/// <summary>
/// python3-dbus (Debian packages python3-dbus and python3-gi, for /usr/bin/python3): as a client of our service,
/// and as a service our client calls.
/// </summary>
[TestFixture]
[Category("DBusDaemon")]
[CancelAfter(60000)]
public sealed class PythonDBusTests : BusFixture
{
    private const string ClientScript = """
        import sys, json, dbus, dbus.mainloop.glib
        from gi.repository import GLib
        dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
        bus = dbus.bus.BusConnection(sys.argv[1])
        obj = bus.get_object('org.kvm.TestService', '/org/kvm/test')
        test = dbus.Interface(obj, 'org.kvm.Test')
        props = dbus.Interface(obj, 'org.freedesktop.DBus.Properties')
        out = {}
        out['echo'] = str(test.Echo('from python'))
        out['add'] = int(test.Add(1, 2))
        out['label'] = str(props.Get('org.kvm.Test', 'Label'))
        out['all'] = sorted(str(k) for k in props.GetAll('org.kvm.Test').keys())
        out['introspect'] = 'org.kvm.Test' in obj.Introspect(dbus_interface='org.freedesktop.DBus.Introspectable')
        out['summarise'] = [int(x) if isinstance(x, dbus.UInt32) else [str(k) for k in x] for x in test.Summarise({'a': dbus.UInt32(1), 'b': 'x'}, signature='a{sv}')]
        import os, tempfile
        fd, name = tempfile.mkstemp()
        os.write(fd, b'fd from python')
        os.lseek(fd, 0, 0)
        out['readfd'] = str(test.ReadFd(dbus.types.UnixFd(fd)))
        os.close(fd)
        returned = test.OpenFile(name)
        out['openfile'] = os.read(returned.take(), 100).decode()
        os.unlink(name)
        try:
            test.Nope()
        except dbus.DBusException as e:
            out['error'] = e.get_dbus_name()
        loop = GLib.MainLoop()
        def on_ping(text):
            out['signal'] = str(text)
            loop.quit()
        bus.add_signal_receiver(on_ping, signal_name='Ping', dbus_interface='org.kvm.Test', path='/org/kvm/test')
        test.EmitPing('ping python')
        GLib.timeout_add(5000, loop.quit)
        loop.run()
        print(json.dumps(out))
        """;

    private const string ServiceScript = """
        import sys, dbus, dbus.service, dbus.mainloop.glib
        from gi.repository import GLib
        dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
        bus = dbus.bus.BusConnection(sys.argv[1])
        loop = GLib.MainLoop()
        class Py(dbus.service.Object):
            @dbus.service.method('org.kvm.Py', in_signature='s', out_signature='s')
            def Greet(self, who):
                return 'hello ' + who
            @dbus.service.method('org.kvm.Py', in_signature='a{sv}', out_signature='u')
            def Count(self, d):
                return len(d)
            @dbus.service.method('org.kvm.Py', in_signature='', out_signature='')
            def Trigger(self):
                self.Tick('tock')
            @dbus.service.signal('org.kvm.Py', signature='s')
            def Tick(self, text):
                pass
            @dbus.service.method('org.freedesktop.DBus.Properties', in_signature='ss', out_signature='v')
            def Get(self, iface, prop):
                return dbus.String('py-value')
        Py(bus, '/org/kvm/py')
        name = dbus.service.BusName('org.kvm.PyService', bus)
        print('ready', flush=True)
        loop.run()
        """;

    [SetUp]
    public void RequireTool() => ExternalTool.RequirePythonDBus();

    [Test]
    public void PythonClient_CallsIntrospectsReadsPropertiesPassesFdsAndGetsSignal()
    {
        string stdout = ExternalTool.Check(ExternalTool.Python, "-c", ClientScript, Daemon.Address);
        using JsonDocument json = JsonDocument.Parse(stdout);
        JsonElement root = json.RootElement;
        Assert.That(root.GetProperty("echo").GetString(), Is.EqualTo("from python"));
        Assert.That(root.GetProperty("add").GetInt32(), Is.EqualTo(3));
        Assert.That(root.GetProperty("label").GetString(), Is.EqualTo("initial"));
        Assert.That(root.GetProperty("all").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "Count", "Label" }));
        Assert.That(root.GetProperty("introspect").GetBoolean(), Is.True);
        Assert.That(root.GetProperty("summarise").GetRawText(), Is.EqualTo("""[2, ["a", "b"]]"""));
        Assert.That(root.GetProperty("error").GetString(), Is.EqualTo(DBusErrorNames.UnknownMethod));
        Assert.That(root.GetProperty("readfd").GetString(), Is.EqualTo("fd from python"), "descriptor from libdbus to our service");
        Assert.That(root.GetProperty("openfile").GetString(), Is.EqualTo("fd from python"), "descriptor from our service to libdbus");
        Assert.That(root.GetProperty("signal").GetString(), Is.EqualTo("ping python"));
    }

    [Test]
    public async Task OurClient_CallsPythonService()
    {
        using Process service = ExternalTool.Start(ExternalTool.Python, "-c", ServiceScript, Daemon.Address);
        try
        {
            string? ready = await service.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(15));
            if (ready != "ready")
            {
                service.Kill();
                Assert.Fail("The python3-dbus service did not start: " + await service.StandardError.ReadToEndAsync());
            }

            using (Message greet = await Calls.CallAsync(Client, "org.kvm.PyService", "/org/kvm/py", "org.kvm.Py", "Greet", "s", "kvm"))
            {
                Assert.That(greet.GetBodyReader().ReadString(), Is.EqualTo("hello kvm"));
            }

            MessageWriter writer = Client.GetMessageWriter();
            writer.WriteMethodCallHeader("org.kvm.PyService", "/org/kvm/py", "org.kvm.Py", "Count", "a{sv}");
            ArrayStart dict = writer.WriteArrayStart(DBusType.DictEntry);
            foreach ((string key, int value) in new[] { ("a", 1), ("b", 2), ("c", 3) })
            {
                writer.WriteDictEntryStart();
                writer.WriteString(key);
                writer.WriteVariantInt32(value);
            }
            writer.WriteArrayEnd(dict);
            using (Message count = await Client.CallMethodAsync(writer.CreateMessage()))
            {
                Assert.That(count.GetBodyReader().ReadUInt32(), Is.EqualTo(3u));
            }

            Assert.That(await Calls.GetPropertyAsync(Client, "org.kvm.PyService", "/org/kvm/py", "org.kvm.Py", "Value"), Is.EqualTo(DBusValue.String("py-value")));
            Assert.That(await Calls.IntrospectAsync(Client, "org.kvm.PyService", "/org/kvm/py"),
                Does.Contain("<interface name=\"org.kvm.Py\">").And.Contain("<signal name=\"Tick\">"));

            var tick = new TaskCompletionSource<string>();
            await using IAsyncDisposable watch = await Client.WatchSignalAsync(new MatchRule { Interface = "org.kvm.Py", Member = "Tick" },
                m => tick.TrySetResult(m.GetBodyReader().ReadString()));
            using (await Calls.CallAsync(Client, "org.kvm.PyService", "/org/kvm/py", "org.kvm.Py", "Trigger"))
            {
            }
            Assert.That(await tick.Task.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo("tock"));

            var e = await Assert.ThrowsAsync<DBusErrorReplyException>(() => Calls.CallAsync(Client, "org.kvm.PyService", "/org/kvm/py", "org.kvm.Py", "Missing"));
            Assert.That(e!.ErrorName, Is.EqualTo(DBusErrorNames.UnknownMethod));
        }
        finally
        {
            service.Kill();
            service.WaitForExit(5000);
        }
    }
}
