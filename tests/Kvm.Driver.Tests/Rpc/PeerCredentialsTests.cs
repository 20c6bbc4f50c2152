using System.Net.Sockets;
using Kvm.Driver.Rpc;

namespace Kvm.Driver.Tests.Rpc;

public sealed class PeerCredentialsTests
{
    private string _root = null!;
    private string _group = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("peercred-").FullName;
        _group = Path.Combine(_root, "group");
        File.WriteAllText(_group, "root:x:0:\nkvmd:x:977:alice\nother:x:978:\n");
        Directory.CreateDirectory(Path.Combine(_root, "proc", "4242"));
        File.WriteAllText(Path.Combine(_root, "proc", "4242", "status"), "Name:\tvirsh\nUid:\t1000\t1000\t1000\t1000\nGroups:\t24 977 1000 \n");
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [TestCase(0u, 0u, 1, true)]      // root
    [TestCase(1000u, 977u, 1, true)] // the group is its primary group
    [TestCase(1000u, 1000u, 4242, true)] // a supplementary group of the process
    [TestCase(1000u, 1000u, 1, false)]   // neither
    public void MayUse_KvmdGroup_RootOrMember(uint uid, uint gid, int pid, bool expected) =>
        Assert.That(new PeerCredentials(pid, uid, gid).MayUse("kvmd", _group, Path.Combine(_root, "proc")), Is.EqualTo(expected));

    [Test]
    public void MayUse_UnknownGroup_OnlyRoot()
    {
        Assert.That(new PeerCredentials(4242, 1000, 977).MayUse("nosuch", _group, Path.Combine(_root, "proc")), Is.False);
        Assert.That(new PeerCredentials(4242, 0, 0).MayUse("nosuch", _group, Path.Combine(_root, "proc")), Is.True);
    }

    [Test]
    public void MayUse_NoGroup_Anyone() => Assert.That(new PeerCredentials(1, 1000, 1000).MayUse(null, _group), Is.True);

    [Test]
    public void Of_ConnectedUnixSocket_ThisProcess()
    {
        string path = Path.Combine(_root, "sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(path));
        using Socket accepted = listener.Accept();
        PeerCredentials peer = PeerCredentials.Of(accepted);
        Assert.That(peer.Pid, Is.EqualTo(Environment.ProcessId));
        Assert.That(peer.Uid, Is.EqualTo(Interop.GetUid()));
    }

    private static class Interop
    {
        public static uint GetUid() => uint.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[1],
            System.Globalization.CultureInfo.InvariantCulture);
    }
}
