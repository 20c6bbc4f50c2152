using Kvm.Driver.Api;

namespace Kvm.Driver.Tests.Api;

/// <summary>The service when its bus goes away.</summary>
[TestFixture]
[Category("DBusDaemon")]
[CancelAfter(30000)]
public sealed class BusLossTests
{
    [Test]
    public async Task BusDaemonKilled_CompletionFaults()
    {
        var bus = PrivateBus.Start();
        KvmdApiService service = await KvmdApiService.StartAsync(new FakeDomainManager(), bus.Address);
        try
        {
            bus.Dispose();
            Task completion = service.Completion;
            Assert.That(await Task.WhenAny(completion, Task.Delay(TimeSpan.FromSeconds(10))), Is.SameAs(completion));
            Assert.That(completion.IsFaulted, Is.True);
        }
        finally
        {
            await service.DisposeAsync();
        }
    }

    [Test]
    public async Task SecondService_NameOwned_BusNameTakenNamesTheOwner()
    {
        using var bus = PrivateBus.Start();
        await using KvmdApiService first = await KvmdApiService.StartAsync(new FakeDomainManager(), bus.Address);
        BusNameTakenException? taken = await Assert.ThrowsAsync<BusNameTakenException>(async () => await KvmdApiService.StartAsync(new FakeDomainManager(), bus.Address));
        Assert.That(taken!.Owner, Is.EqualTo(first.UniqueName));
    }
}
