using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using Kvm.Vmm.Net;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Net;

/// <summary>
/// The passt backend against Debian's real passt, without a VM: an ARP request written as a guest's frame (with its
/// virtio-net header) reaches passt over the length-prefixed stream, and passt's ARP reply comes back as a frame with
/// an empty header; passt killed is started again once (a new pid, frames flow again), killed again the backend
/// fails. passt opens no interface, address or route: it answers ARP itself and only reads the host's configuration.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PasstBackendTests
{
    private const string GuestAddress = "10.0.2.15";
    private const string Gateway = "10.0.2.2";
    private static readonly byte[] s_guestMac = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
    private static readonly byte[] s_passtMac = [0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc];

    /// <summary>passt's path, or null when it is not installed.</summary>
    internal static string? Passt() => DiskGuest.Find("passt");

    [SetUp]
    public void SetUp()
    {
        if (Passt() is null)
        {
            Assert.Ignore("needs passt (Debian's package 'passt'; .ci/run installs it)");
        }

        if (!HasDefaultRoute())
        {
            Assert.Ignore("needs an IPv4 default route in this network namespace: passt takes its template interface from it");
        }
    }

    /// <summary>passt takes its template interface from the host's default route; a namespace without one it refuses.</summary>
    internal static bool HasDefaultRoute() =>
        File.ReadLines("/proc/net/route").Skip(1).Any(line => line.Split('\t', StringSplitOptions.TrimEntries) is [_, "00000000", ..]);

    [Test]
    public void ArpRequest_ThroughPasst_IsAnsweredWithAnEmptyHeader()
    {
        using var backend = Start();

        byte[] reply = ArpRoundTrip(backend);

        Assert.That(reply.AsSpan(0, PasstBackend.HeaderSize).ToArray(), Is.All.EqualTo(0), "an empty virtio-net header");
        var ethernet = reply.AsSpan(PasstBackend.HeaderSize);
        Assert.That(ethernet[..6].ToArray(), Is.EqualTo(s_guestMac), "to the guest");
        Assert.That(ethernet[6..12].ToArray(), Is.EqualTo(s_passtMac), "from passt's --mac-addr");
        Assert.That(BinaryPrimitives.ReadUInt16BigEndian(ethernet[12..]), Is.EqualTo(0x0806), "ARP");
        Assert.That(BinaryPrimitives.ReadUInt16BigEndian(ethernet[20..]), Is.EqualTo(2), "a reply");
        Assert.That(new IPAddress(ethernet[28..32]).ToString(), Is.EqualTo(Gateway), "for the address asked");
        Assert.That(backend.SupportedOffloads, Is.EqualTo(NetOffloads.None));
    }

    [Test]
    public void PasstKilled_IsStartedAgainOnce_ThenTheBackendFails()
    {
        using var backend = Start();
        int first = backend.Pid;

        Process.GetProcessById(first).Kill();
        int result = 0;
        Assert.That(SpinWait.SpinUntil(() => (result = Read(backend)) < 0 || backend.Pid != first, 10_000), Is.True, "passt was not started again");
        Assert.That(result, Is.GreaterThanOrEqualTo(0), "the first end is answered by a restart, not a failure");
        Assert.That(ArpRoundTrip(backend), Has.Length.GreaterThan(PasstBackend.HeaderSize + 28), "frames flow through the new passt");

        Process.GetProcessById(backend.Pid).Kill();
        Assert.That(SpinWait.SpinUntil(() => Read(backend) < 0, 10_000), Is.True, "the second end fails the backend");
        Assert.That(backend.Write(new byte[PasstBackend.HeaderSize + 60]), Is.LessThan(0));
    }

    /// <summary>What kvm-vmm's death does to passt (SIGKILL included): the kernel closes kvm-vmm's end; nothing is killed here.</summary>
    [Test]
    public void KvmVmmsEndClosed_PasstEndsByItself()
    {
        using var backend = Start();
        int pid = backend.Pid;

        backend.ReadHandle.Dispose();

        Assert.That(SpinWait.SpinUntil(() => !IsRunning(pid), 10_000), Is.True, "passt outlived its peer's end of the socket");
    }

    [Test]
    public void Dispose_StopsPasst()
    {
        var backend = Start();
        int pid = backend.Pid;

        backend.Dispose();

        Assert.That(SpinWait.SpinUntil(() => !IsRunning(pid), 5000), Is.True, "passt still runs");
    }

    private static PasstBackend Start() => PasstBackend.Start(
        new PasstOptions { Arguments = ["--mac-addr", "52:54:00:aa:bb:cc", "--address", GuestAddress, "--netmask", "24", "--gateway", Gateway] }, "net0");

    /// <summary>Writes an ARP request for <see cref="Gateway"/> from the guest and reads frames until passt's reply.</summary>
    private static byte[] ArpRoundTrip(PasstBackend backend)
    {
        byte[] frame = new byte[PasstBackend.HeaderSize + 42];
        var ethernet = frame.AsSpan(PasstBackend.HeaderSize);
        ethernet[..6].Fill(0xff);
        s_guestMac.CopyTo(ethernet[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(ethernet[12..], 0x0806);
        BinaryPrimitives.WriteUInt16BigEndian(ethernet[14..], 1); // Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(ethernet[16..], 0x0800); // IPv4
        ethernet[18] = 6;
        ethernet[19] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(ethernet[20..], 1); // request
        s_guestMac.CopyTo(ethernet[22..]);
        IPAddress.Parse(GuestAddress).GetAddressBytes().CopyTo(ethernet[28..]);
        IPAddress.Parse(Gateway).GetAddressBytes().CopyTo(ethernet[38..]);
        Assert.That(backend.Write(frame), Is.EqualTo(frame.Length));

        byte[] buffer = new byte[PasstBackend.HeaderSize + PasstBackend.MaxFrame];
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            int length = backend.Read(buffer);
            Assert.That(length, Is.GreaterThanOrEqualTo(0), "the backend failed");
            if (length > PasstBackend.HeaderSize + 21 && BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(PasstBackend.HeaderSize + 12)) == 0x0806
                && BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(PasstBackend.HeaderSize + 20)) == 2)
            {
                return buffer[..length];
            }

            if (length == 0)
            {
                Thread.Sleep(10);
            }
        }

        Assert.Fail("passt did not answer the ARP request");
        return [];
    }

    /// <summary>Whether the process runs (a zombie, ended but not reaped yet, does not).</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            return !File.ReadAllText($"/proc/{pid}/status").Contains("State:\tZ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int Read(PasstBackend backend) => backend.Read(new byte[PasstBackend.HeaderSize + PasstBackend.MaxFrame]);
}
