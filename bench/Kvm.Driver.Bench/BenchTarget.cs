using System.Diagnostics;
using System.Text;

namespace Kvm.Driver.Bench;

/// <summary>One server under test with the client connected to it and the 1,000 domains' paths there.</summary>
internal sealed class BenchTarget : IAsyncDisposable
{
    private readonly DomainDefinition[] _domains;
    private readonly string[] _paths;
    private readonly byte[][] _pathBytes;
    private bool _disposed;

    private BenchTarget(ServerProcess server, LibvirtClient client, DomainDefinition[] domains, TimeSpan startup)
    {
        Server = server;
        Client = client;
        Startup = startup;
        _domains = domains;
        _paths = domains.Select(d => d.ObjectPath(server.ConnectPath)).ToArray();
        _pathBytes = _paths.Select(Encoding.UTF8.GetBytes).ToArray();
    }

    public ServerProcess Server { get; }

    public LibvirtClient Client { get; }

    public string Name => Server.Name;

    /// <summary>From starting the process to org.libvirt being owned on its bus.</summary>
    public TimeSpan Startup { get; }

    public Dictionary<Workload, Samples> Results { get; } = Enum.GetValues<Workload>().ToDictionary(w => w, _ => new Samples());

    public static async Task<BenchTarget> StartAsync(Func<ServerProcess> start, DomainDefinition[] domains)
    {
        var stopwatch = Stopwatch.StartNew();
        ServerProcess server = start();
        try
        {
            LibvirtClient client = await LibvirtClient.ConnectAsync(server, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            return new BenchTarget(server, client, domains, stopwatch.Elapsed);
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Defines every domain, one call at a time; checks each returned path.</summary>
    public async Task<TimeSpan> DefineAllAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        for (int i = 0; i < _domains.Length; i++)
        {
            string path = await Client.DefineAsync(_domains[i].Xml).ConfigureAwait(false);
            if (path != _paths[i])
            {
                throw new InvalidOperationException($"{Name}: DomainDefineXML({_domains[i].Name}) returned {path}, expected {_paths[i]}");
            }
        }
        return stopwatch.Elapsed;
    }

    public string DomainPath(int index) => _paths[index];

    /// <summary>
    /// Makes <paramref name="count"/> calls one after another, <paramref name="order"/> choosing the domain of each,
    /// and returns the latency of each in Stopwatch ticks; a call that fails or answers wrongly counts as an error.
    /// </summary>
    public async Task<(long[] Ticks, int Errors)> RunAsync(Workload workload, int[] order, int domainCount)
    {
        long[] ticks = new long[order.Length];
        int errors = 0;
        for (int i = 0; i < order.Length; i++)
        {
            int d = order[i];
            bool ok;
            long start = Stopwatch.GetTimestamp();
            try
            {
                ok = workload switch
                {
                    Workload.Ping => await Client.PingAsync().ConfigureAwait(false),
                    Workload.ListDomains => await Client.ListDomainsAsync().ConfigureAwait(false) == domainCount,
                    Workload.LookupByName => await Client.LookupByNameAsync(_domains[d].Name, _pathBytes[d]).ConfigureAwait(false),
                    Workload.GetXmlDesc => await Client.GetXmlDescAsync(_paths[d]).ConfigureAwait(false) > 0,
                };
            }
            catch (Tmds.DBus.Protocol.DBusExceptionBase e)
            {
                if (errors == 0)
                {
                    Console.WriteLine($"  {Name} {workload}: {e.Message}");
                }
                ok = false;
            }
            ticks[i] = Stopwatch.GetTimestamp() - start;
            if (!ok)
            {
                errors++;
            }
        }
        return (ticks, errors);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        await Client.DisposeAsync().ConfigureAwait(false);
        Server.Dispose();
    }
}
