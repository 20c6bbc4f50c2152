using Kvm.Vmm.Devices;

namespace Kvm.Vmm.Tests;

/// <summary>An interrupt line that remembers its level and lets a test wait for it to be raised.</summary>
internal sealed class FakeInterruptLine : IInterruptLine, IDisposable
{
    private readonly SemaphoreSlim _raised = new(0);

    public bool Asserted { get; private set; }

    /// <summary>Calls that set the level it already had: a device should only report changes.</summary>
    public int RedundantSets { get; private set; }

    public void Set(bool asserted)
    {
        if (asserted == Asserted)
        {
            RedundantSets++;
        }

        Asserted = asserted;
        if (asserted)
        {
            _raised.Release();
        }
    }

    /// <summary>Waits for a rising edge (one not waited for yet).</summary>
    public bool WaitRaised(TimeSpan timeout) => _raised.Wait(timeout);

    public void Dispose() => _raised.Dispose();
}
