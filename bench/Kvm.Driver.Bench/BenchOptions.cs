using System.Globalization;

namespace Kvm.Driver.Bench;

/// <summary>Command line of kvmd-bench.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        kvmd-bench [--domains N] [--rounds N] [--list N] [--lookups N] [--xml N] [--ping N] [--template FILE]
                   [--kvmd PATH] [--libvirt-dbus PATH] [--python] [--python-calls N] [--keep]
          --domains N        definitions on each server (1000)
          --rounds N         measured rounds per server and call, alternating kvmd / libvirt-dbus (3)
          --list N           ListDomains(0) calls per round (2000)
          --lookups N        DomainLookupByName(s) calls per round, random names (10000)
          --xml N            Domain.GetXMLDesc(0) calls per round, random domains (10000)
          --ping N           org.freedesktop.DBus.Peer.Ping calls per round, the transport floor (5000)
          --template FILE    domain XML whose name, uuid and MAC addresses are replaced per definition
                             (default: xml-samples/virtio-disk-net-serial.xml of this repository)
          --kvmd PATH        default: artifacts/bin/Kvm.Kvmd/release/kvmd of this repository
          --libvirt-dbus PATH  default: /usr/sbin/libvirt-dbus
          --python           also measure the same calls from python3-dbus (/usr/bin/python3), a cross-check
          --python-calls N   calls per call type for the python3-dbus client (2000)
          --keep             keep the temporary directory (kvmd's state and both servers' logs)
        """;

    public int Domains { get; init; } = 1000;

    public int Rounds { get; init; } = 3;

    public int ListCalls { get; init; } = 2000;

    public int LookupCalls { get; init; } = 10000;

    public int XmlCalls { get; init; } = 10000;

    public int PingCalls { get; init; } = 5000;

    public string Template { get; init; } = Path.Combine(RepositoryRoot, "xml-samples", "virtio-disk-net-serial.xml");

    public string Kvmd { get; init; } = Path.Combine(RepositoryRoot, "artifacts", "bin", "Kvm.Kvmd", "release", "kvmd");

    public string LibvirtDbus { get; init; } = "/usr/sbin/libvirt-dbus";

    public bool Python { get; init; }

    public int PythonCalls { get; init; } = 2000;

    public bool Keep { get; init; }

    /// <summary>The repository this program was built in: artifacts/bin/Kvm.Driver.Bench/release/ is four levels below it.</summary>
    private static string RepositoryRoot =>
        Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", ".."));

    public static BenchOptions? TryParse(string[] args, out string? error)
    {
        var options = new BenchOptions();
        error = null;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (arg)
            {
                case "--help" or "-h":
                    return null;
                case "--python":
                    options = options with { Python = true };
                    continue;
                case "--keep":
                    options = options with { Keep = true };
                    continue;
            }
            if (value is null)
            {
                error = $"{arg} needs a value";
                return null;
            }
            i++;
            switch (arg)
            {
                case "--domains": options = options with { Domains = Count(value, ref error) }; break;
                case "--rounds": options = options with { Rounds = Count(value, ref error) }; break;
                case "--list": options = options with { ListCalls = Count(value, ref error) }; break;
                case "--lookups": options = options with { LookupCalls = Count(value, ref error) }; break;
                case "--ping": options = options with { PingCalls = Count(value, ref error) }; break;
                case "--xml": options = options with { XmlCalls = Count(value, ref error) }; break;
                case "--python-calls": options = options with { PythonCalls = Count(value, ref error) }; break;
                case "--template": options = options with { Template = Path.GetFullPath(value) }; break;
                case "--kvmd": options = options with { Kvmd = Path.GetFullPath(value) }; break;
                case "--libvirt-dbus": options = options with { LibvirtDbus = Path.GetFullPath(value) }; break;
                default: error = $"unknown option {arg}"; return null;
            }
            if (error is not null)
            {
                return null;
            }
        }
        return options;
    }

    private static int Count(string value, ref string? error)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0)
        {
            return n;
        }
        error = $"expected a positive number, got '{value}'";
        return 0;
    }
}
