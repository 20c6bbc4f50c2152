using System.Text;
using System.Threading.Channels;
using Kvm.Driver.Consoles;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Tests.Consoles;

/// <summary>The console hub and its sessions on a real pty: relay both ways, one session at a time, force, hangup.</summary>
[CancelAfter(60_000)]
public sealed class ConsoleHubTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    [Test]
    public async Task Session_GuestWritesAndClientTypes_RelayedBothWays()
    {
        using var pty = new TestPty();
        var hub = new ConsoleHub();
        await using ConsoleSession session = hub.Open(pty.SlavePath, force: false);
        var client = new Client();
        session.Start(client.Receive, client.Ended);

        pty.GuestWrites("login: ");
        Assert.That(await client.ReadAsync("login: ".Length), Is.EqualTo("login: "));
        await session.WriteAsync(Encoding.ASCII.GetBytes("root\r"), CancellationToken.None);
        Assert.That(pty.GuestReads(5, s_wait), Is.EqualTo("root\r"));
    }

    [Test]
    public async Task Open_SecondWithoutForce_ActiveSessionExists()
    {
        using var pty = new TestPty();
        var hub = new ConsoleHub();
        await using ConsoleSession first = hub.Open(pty.SlavePath, force: false);
        Assert.That(() => hub.Open(pty.SlavePath, force: false), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("operation failed: Active console session exists for this domain")
            .And.Property(nameof(DomainOperationException.Code)).EqualTo(VirErrorCode.OperationFailed));
        await first.DisposeAsync();
        await using ConsoleSession again = hub.Open(pty.SlavePath, force: false);
        Assert.That(hub.Count, Is.EqualTo(1), "the first released the pty");
    }

    [Test]
    public async Task Open_SecondWithForce_FirstEvictedAndOnlySecondGetsOutput()
    {
        using var pty = new TestPty();
        var hub = new ConsoleHub();
        ConsoleSession first = hub.Open(pty.SlavePath, force: false);
        var firstClient = new Client();
        first.Start(firstClient.Receive, firstClient.Ended);
        pty.GuestWrites("a");
        Assert.That(await firstClient.ReadAsync(1), Is.EqualTo("a"));

        await using ConsoleSession second = hub.Open(pty.SlavePath, force: true);
        var secondClient = new Client();
        second.Start(secondClient.Receive, secondClient.Ended);
        Assert.That(await firstClient.EndedAsync(), Is.EqualTo(ConsoleEnd.Evicted));
        await first.DisposeAsync();

        pty.GuestWrites("bcd");
        Assert.That(await secondClient.ReadAsync(3), Is.EqualTo("bcd"));
        Assert.That(firstClient.Received, Is.EqualTo("a"), "nothing after the eviction went to the first client");
        Assert.That(hub.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task Session_GuestSideCloses_Hangup()
    {
        using var pty = new TestPty();
        var hub = new ConsoleHub();
        await using ConsoleSession session = hub.Open(pty.SlavePath, force: false);
        var client = new Client();
        session.Start(client.Receive, client.Ended);
        pty.GuestWrites("bye");
        Assert.That(await client.ReadAsync(3), Is.EqualTo("bye"));
        pty.HangUp();
        Assert.That(await client.EndedAsync(), Is.EqualTo(ConsoleEnd.Hangup));
    }

    [Test]
    public async Task Session_ClientDoesNotTakeData_ReadingStopsWithBoundedChunks()
    {
        using var pty = new TestPty();
        var hub = new ConsoleHub();
        await using ConsoleSession session = hub.Open(pty.SlavePath, force: false);
        var hold = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        int calls = 0;
        session.Start((_, _) => { Interlocked.Increment(ref calls); return new ValueTask<bool>(hold.Task); }, _ => { });
        for (int i = 0; i < 16; i++)
        {
            pty.GuestWrites(new string('x', 1000));
        }
        await Task.Delay(500);
        Assert.That(Volatile.Read(ref calls), Is.EqualTo(1), "one chunk is handed over at a time; the rest waits in the pty");
        hold.SetResult(false);
    }

    [Test]
    public void Open_NoSuchPty_SystemError() =>
        Assert.That(() => new ConsoleHub().Open("/dev/pts/does-not-exist", force: false), Throws.TypeOf<DomainOperationException>()
            .With.Property(nameof(DomainOperationException.Code)).EqualTo(VirErrorCode.SystemError)
            .And.Message.StartsWith("Unable to open console /dev/pts/does-not-exist"));

    /// <summary>A console client: collects what it is sent and how the session ended.</summary>
    private sealed class Client
    {
        private readonly Channel<byte[]> _data = Channel.CreateUnbounded<byte[]>();
        private readonly TaskCompletionSource<ConsoleEnd> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly StringBuilder _received = new();

        public string Received
        {
            get
            {
                lock (_received)
                {
                    return _received.ToString();
                }
            }
        }

        public ValueTask<bool> Receive(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            lock (_received)
            {
                _received.Append(Encoding.ASCII.GetString(data.Span));
            }
            _data.Writer.TryWrite(data.ToArray());
            return new ValueTask<bool>(true);
        }

        public void Ended(ConsoleEnd end) => _ended.TrySetResult(end);

        public Task<ConsoleEnd> EndedAsync() => _ended.Task.WaitAsync(s_wait);

        public async Task<string> ReadAsync(int count)
        {
            var text = new StringBuilder();
            using var timeout = new CancellationTokenSource(s_wait);
            while (text.Length < count)
            {
                text.Append(Encoding.ASCII.GetString(await _data.Reader.ReadAsync(timeout.Token)));
            }
            return text.ToString();
        }
    }
}
