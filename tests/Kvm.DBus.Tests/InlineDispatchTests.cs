using Kvm.DBus.Protocol;
using Kvm.DBus.Service;
using Kvm.DBus.Transport;

namespace Kvm.DBus.Tests;

/// <summary>
/// Handlers that say they answer at once (<see cref="IMethodHandler.RunsInline"/>) run on the connection's reader, in
/// the order their calls arrived; the others run on the thread pool, where one that blocks holds up nobody.
/// </summary>
[TestFixture]
[CancelAfter(30000)]
public sealed class InlineDispatchTests
{
    private DBusConnection _client = null!;
    private DBusConnection _server = null!;

    [SetUp]
    public void SetUp()
    {
        (InMemoryMessageStream a, InMemoryMessageStream b) = InMemoryMessageStream.CreatePair();
        _client = new DBusConnection(a);
        _server = new DBusConnection(b);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task RunsInline_True_HandlerRunsInArrivalOrder()
    {
        var handler = new RecordingHandler("/org/kvm/inline", inline: true);
        _server.AddMethodHandler(handler);
        Task<string>[] calls = Enumerable.Range(0, 500).Select(i => Calls.EchoAsync(_client, null, "/org/kvm/inline", $"n{i}")).ToArray();
        await Task.WhenAll(calls);
        Assert.That(handler.Seen, Is.EqualTo(Enumerable.Range(0, 500).Select(i => $"n{i}").ToArray()));
    }

    [Test]
    public async Task RunsInline_False_ABlockingHandlerDoesNotHoldUpTheReader()
    {
        var blocking = new RecordingHandler("/org/kvm/blocking", inline: false, block: TimeSpan.FromSeconds(2));
        var inline = new RecordingHandler("/org/kvm/inline", inline: true);
        _server.AddMethodHandler(blocking);
        _server.AddMethodHandler(inline);
        var order = new List<string>();
        Task slow = Calls.EchoAsync(_client, null, "/org/kvm/blocking", "slow").ContinueWith(_ => { lock (order) { order.Add("slow"); } });
        await blocking.Entered.Task;
        await Calls.EchoAsync(_client, null, "/org/kvm/inline", "fast");
        lock (order) { order.Add("fast"); }
        await slow;
        Assert.That(order, Is.EqualTo(new[] { "fast", "slow" }));
    }

    [Test]
    public async Task RunsInline_PeerPing_AnsweredOnAnyPath()
    {
        using Message reply = await Calls.CallAsync(_client, null, "/no/handler/here", "org.freedesktop.DBus.Peer", "Ping");
        Assert.That(reply.Type, Is.EqualTo(MessageType.MethodReturn));
    }

    /// <summary>Echo's handler, recording each argument as it runs; optionally blocking its thread first.</summary>
    private sealed class RecordingHandler(string path, bool inline, TimeSpan block = default) : IMethodHandler
    {
        private readonly ObjectHandler _inner = new(path, new TestInterface());
        private readonly List<string> _seen = [];

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string[] Seen
        {
            get
            {
                lock (_seen)
                {
                    return [.. _seen];
                }
            }
        }

        public string Path => path;

        public bool HandlesChildPaths => false;

        public bool RunsInline(Message call) => inline;

        public IEnumerable<string> GetChildNames(string childPath) => _inner.GetChildNames(childPath);

        public ValueTask HandleMethodAsync(MethodContext context)
        {
            lock (_seen)
            {
                _seen.Add(context.Request.GetBodyReader().ReadString());
            }

            Entered.TrySetResult();
            if (block > TimeSpan.Zero)
            {
                Thread.Sleep(block); // a handler that blocks its thread, as one writing to a slow disk would
            }

            return _inner.HandleMethodAsync(context);
        }
    }
}
