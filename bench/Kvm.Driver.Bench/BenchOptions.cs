using System.CommandLine;
using Kvm.Bench;

namespace Kvm.Driver.Bench;

/// <summary>Command line of kvmd-bench.</summary>
internal sealed record BenchOptions
{
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

    /// <summary>The options the arguments give; null after printing help (status 0) or what is wrong (status 1).</summary>
    public static BenchOptions? Parse(string[] args, out int exitCode)
    {
        var defaults = new BenchOptions();
        var domains = BenchCommandLine.Count("--domains", defaults.Domains, "Definitions on each server");
        var rounds = BenchCommandLine.Count("--rounds", defaults.Rounds, "Measured rounds per server and call, alternating kvmd / libvirt-dbus");
        var list = BenchCommandLine.Count("--list", defaults.ListCalls, "ListDomains(0) calls per round");
        var lookups = BenchCommandLine.Count("--lookups", defaults.LookupCalls, "DomainLookupByName(s) calls per round, random names");
        var xml = BenchCommandLine.Count("--xml", defaults.XmlCalls, "Domain.GetXMLDesc(0) calls per round, random domains");
        var ping = BenchCommandLine.Count("--ping", defaults.PingCalls, "org.freedesktop.DBus.Peer.Ping calls per round, the transport floor");
        var template = new Option<FileInfo?>("--template")
        {
            Description = "Domain XML whose name, uuid and MAC addresses are replaced per definition (default: xml-samples/virtio-disk-net-serial.xml of this repository)",
        };
        var kvmd = new Option<FileInfo?>("--kvmd") { Description = "kvmd (default: artifacts/bin/Kvm.Kvmd/release/kvmd of this repository)" };
        var libvirtDbus = new Option<FileInfo?>("--libvirt-dbus") { Description = "libvirt-dbus (default: /usr/sbin/libvirt-dbus)" };
        var python = new Option<bool>("--python") { Description = "Also measure the same calls from python3-dbus (/usr/bin/python3), a cross-check" };
        var pythonCalls = BenchCommandLine.Count("--python-calls", defaults.PythonCalls, "Calls per call type for the python3-dbus client");
        var keep = new Option<bool>("--keep") { Description = "Keep the temporary directory (kvmd's state and both servers' logs)" };
        var root = new RootCommand(
            "kvmd-bench: with N defined domains, ListDomains, DomainLookupByName and GetXMLDesc latency against kvmd and against libvirt-dbus over libvirt's test driver")
        {
            domains, rounds, list, lookups, xml, ping, template, kvmd, libvirtDbus, python, pythonCalls, keep,
        };
        return BenchCommandLine.Parse(root, args, parse => new BenchOptions
        {
            Domains = parse.GetValue(domains),
            Rounds = parse.GetValue(rounds),
            ListCalls = parse.GetValue(list),
            LookupCalls = parse.GetValue(lookups),
            XmlCalls = parse.GetValue(xml),
            PingCalls = parse.GetValue(ping),
            Template = parse.GetValue(template)?.FullName ?? defaults.Template,
            Kvmd = parse.GetValue(kvmd)?.FullName ?? defaults.Kvmd,
            LibvirtDbus = parse.GetValue(libvirtDbus)?.FullName ?? defaults.LibvirtDbus,
            Python = parse.GetValue(python),
            PythonCalls = parse.GetValue(pythonCalls),
            Keep = parse.GetValue(keep),
        }, out exitCode);
    }
}
