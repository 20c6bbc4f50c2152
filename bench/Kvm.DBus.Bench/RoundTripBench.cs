using System.Diagnostics;
using Kvm.DBus.Protocol;
using Kvm.DBus.Service;

namespace Kvm.DBus.Bench;

/// <summary>Echo("hello") through a private dbus-daemon: our client → our service, then python3-dbus → our service.</summary>
internal static class RoundTripBench
{
    private const string Service = "org.kvm.Bench";
    private const string PythonClient = """
        import sys, time, dbus
        bus = dbus.bus.BusConnection(sys.argv[1])
        obj = bus.get_object('org.kvm.Bench', '/org/kvm/bench', introspect=False)
        echo = obj.get_dbus_method('Echo', 'org.kvm.Bench')
        n = int(sys.argv[2])
        for _ in range(200):
            echo('hello', signature='s')
        lat = []
        start = time.perf_counter()
        for _ in range(n):
            t = time.perf_counter()
            echo('hello', signature='s')
            lat.append(time.perf_counter() - t)
        total = time.perf_counter() - start
        lat.sort()
        print('%d %.1f %.1f %.0f' % (n, lat[n // 2] * 1e6, lat[int(n * 0.99)] * 1e6, n / total))
        """;

    public static async Task RunAsync(int calls)
    {
        using PrivateBus bus = PrivateBus.Start();
        await using DBusConnection service = await DBusConnection.ConnectAsync(bus.Address);
        service.AddMethodHandler(new ObjectHandler("/org/kvm/bench", new EchoInterface()));
        await service.RequestNameAsync(Service);
        await using DBusConnection client = await DBusConnection.ConnectAsync(bus.Address);

        Console.WriteLine($"{"round trip through dbus-daemon",-44} {"calls",7} {"p50 us",8} {"p99 us",8} {"calls/s",9} {"alloc B/call",13}");
        for (int i = 0; i < 2000; i++)
        {
            await EchoAsync(client);
        }
        var latencies = new double[calls];
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var total = Stopwatch.StartNew();
        for (int i = 0; i < calls; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await EchoAsync(client);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        total.Stop();
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Array.Sort(latencies);
        Print("Kvm.DBus client → Kvm.DBus service", calls, latencies[calls / 2], latencies[(int)(calls * 0.99)], calls / total.Elapsed.TotalSeconds,
            allocated / (double)calls);

        const int concurrency = 16;
        total.Restart();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            for (int i = 0; i < calls / concurrency; i++)
            {
                await EchoAsync(client);
            }
        }));
        total.Stop();
        Console.WriteLine($"{"  same, 16 calls in flight",-44} {calls / concurrency * concurrency,7} {"",8} {"",8} {calls / concurrency * concurrency / total.Elapsed.TotalSeconds,9:N0}");

        RunPython(bus.Address, Math.Min(calls, 5000));
    }

    private static void Print(string name, int calls, double p50, double p99, double perSecond, double? allocatedPerCall = null) =>
        Console.WriteLine($"{name,-44} {calls,7} {p50,8:F1} {p99,8:F1} {perSecond,9:N0} {(allocatedPerCall is { } a ? a.ToString("N0") : "-"),13}");

    private static async Task EchoAsync(DBusConnection client)
    {
        MessageWriter writer = client.GetMessageWriter();
        writer.WriteMethodCallHeader(Service, "/org/kvm/bench", Service, "Echo", "s");
        writer.WriteString("hello");
        using Message reply = await client.CallMethodAsync(writer.CreateMessage()).ConfigureAwait(false);
    }

    private static void RunPython(string address, int calls)
    {
        if (!File.Exists("/usr/bin/python3"))
        {
            Console.WriteLine("python3-dbus → Kvm.DBus service: skipped, /usr/bin/python3 missing (apt-get install python3-dbus)");
            return;
        }
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "-c", PythonClient, address, calls.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }
        using Process python = Process.Start(start)!;
        string output = python.StandardOutput.ReadToEnd();
        string error = python.StandardError.ReadToEnd();
        python.WaitForExit();
        string[] parts = output.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (python.ExitCode != 0 || parts.Length != 4)
        {
            Console.WriteLine($"python3-dbus → Kvm.DBus service: failed ({error.Trim()}); apt-get install python3-dbus");
            return;
        }
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        Print("python3-dbus client → Kvm.DBus service", int.Parse(parts[0], inv), double.Parse(parts[1], inv), double.Parse(parts[2], inv), double.Parse(parts[3], inv));
    }
}
