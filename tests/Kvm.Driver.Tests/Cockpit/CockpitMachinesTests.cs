using Kvm.Driver.Api;

namespace Kvm.Driver.Tests.Cockpit;

/// <summary>
/// Cockpit's Machines page (Debian's cockpit-machines) in headless Chromium against kvmd (<see cref="CockpitSession"/>),
/// cockpit_machines.py driving the page through the DevTools protocol. Screenshots of each step go to
/// artifacts/cockpit/machines/.
/// </summary>
[TestFixture]
[Category("Cockpit")]
[CancelAfter(180_000)]
public sealed class CockpitMachinesTests
{
    private CockpitSession? _session;

    [SetUp]
    public async Task StartAsync()
    {
        CockpitSession.RequireTools();
        _session = await CockpitSession.StartAsync();
    }

    [TearDown]
    public void Stop() => _session?.Dispose();

    [Test]
    public void MachinesPage_ListDetailsDeleteAndLiveDefine_ShowKvmdsDomains()
    {
        string disk = Path.Combine(_session!.Directory, "with-machine.qcow2");
        File.WriteAllBytes(disk, []);
        _session.Define(CockpitDomains.WithMachine(disk));
        _session.Define(CockpitDomains.WithoutMachine);

        _session.StartCockpit();
        _session.RunScript("cockpit_machines.py", TimeSpan.FromSeconds(150), _session.MachinesUrl, _session.BusAddress,
            LibvirtPaths.Connect, CockpitSession.Screenshots("machines"), disk);
    }
}
