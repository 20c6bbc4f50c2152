using System.Collections.Concurrent;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Tests.Domains;

/// <summary>
/// A DomainManager on temporary state and runtime directories, with a recorder of its events. The default VMM is
/// "kvm-vmm --machine none" behind a script: a real kvm-vmm process with a real QMP monitor, without a VM, so
/// the process plumbing, QMP control and re-attach are tested on machines without /dev/kvm.
/// </summary>
internal sealed class ManagerFixture : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _events = new();

    /// <param name="configure">Changes to the options before the manager is made (e.g. where /proc/net is read).</param>
    public ManagerFixture(string? vmmPath = null, TimeSpan? connectTimeout = null, Func<DomainManagerOptions, DomainManagerOptions>? configure = null)
    {
        Root = Directory.CreateTempSubdirectory("kvmd-").FullName;
        FakeVmm = Path.Combine(Root, "fake-vmm");
        File.WriteAllText(FakeVmm, $"#!/bin/sh\nexec '{Executable.KvmVmm.Path}' --machine none \"$@\"\n");
        File.SetUnixFileMode(FakeVmm, (UnixFileMode)0b111_101_101);
        Options = new DomainManagerOptions
        {
            StateDirectory = Path.Combine(Root, "state"),
            RuntimeDirectory = Path.Combine(Root, "run"),
            VmmPath = vmmPath ?? FakeVmm,
            DestroyGracePeriod = TimeSpan.FromSeconds(5),
            ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(30),
            CommandTimeout = connectTimeout ?? TimeSpan.FromSeconds(30),
        };
        Options = configure?.Invoke(Options) ?? Options;
        Manager = NewManager();
    }

    public string Root { get; }

    public string FakeVmm { get; }

    public DomainManagerOptions Options { get; }

    public DomainManager Manager { get; private set; }

    /// <summary>Events as "uuid-prefix event/detail" or "reboot".</summary>
    public IReadOnlyList<string> Events => [.. _events];

    public string EventsOf(Guid uuid) => string.Join(" ", _events.Where(e => e.StartsWith(uuid.ToString("D")[..8], StringComparison.Ordinal)).Select(e => e[9..]));

    /// <summary>Simulates a kvmd restart: drops the manager without stopping its VMs, then starts a new one on the same directories.</summary>
    public async Task RestartAsync()
    {
        await Manager.DisposeAsync();
        Manager = NewManager();
        await Manager.InitializeAsync(CancellationToken.None);
    }

    public async Task<bool> WaitForEventsAsync(Guid uuid, string expected, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            if (EventsOf(uuid).Contains(expected, StringComparison.Ordinal))
            {
                return true;
            }

            await Task.Delay(20);
        }

        return false;
    }

    public string[] RuntimeFiles() => Directory.Exists(Options.RuntimeDirectory)
        ? Directory.GetFiles(Options.RuntimeDirectory).Select(f => Path.GetFileName(f)).Where(f => !f.EndsWith(".log", StringComparison.Ordinal)).ToArray()
        : [];

    public async ValueTask DisposeAsync()
    {
        // Stop whatever still runs, then remove the directories.
        foreach (var info in Manager.List().Where(i => i.Active))
        {
            try
            {
                await Manager.DestroyAsync(info.Uuid, CancellationToken.None);
            }
            catch (DomainOperationException)
            {
            }
        }

        await Manager.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }

    private DomainManager NewManager()
    {
        var manager = new DomainManager(Options);
        manager.LifecycleEvent += e => _events.Enqueue($"{e.Uuid.ToString("D")[..8]} {(int)e.Event}/{e.Detail}");
        manager.Rebooted += uuid => _events.Enqueue($"{uuid.ToString("D")[..8]} reboot");
        return manager;
    }
}
