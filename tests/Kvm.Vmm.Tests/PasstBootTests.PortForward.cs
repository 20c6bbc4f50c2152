using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// <c>&lt;portForward proto='tcp'&gt;&lt;range start='N' to='M'/&gt;</c> end to end: busybox's nc listens on port M
/// in the guest, and the outer guest (passt's host) connects to its own loopback's port N, where passt listens, sends a
/// request line and reads the guest's answer; the guest prints the request it got. The host speaks first, as in HTTP:
/// Debian 12's passt (0.0~git20230309) does not acknowledge the guest's SYN-ACK of a forwarded connection, so the
/// guest's side of the handshake completes only with the first data passt brings (seen with passt alone, and in the
/// harness: with a silent client the guest resent its SYN-ACK until the connection died).
/// </summary>
public sealed partial class PasstBootTests
{
    private const int HostPort = 10080;
    private const int GuestPort = 8080;
    private const string Answer = "GUEST-ANSWER-FORWARDED";
    private const string Listening = "FORWARD-LISTENING";
    private const string Request = "HOST-REQUEST-FORWARDED";
    private static readonly TimeSpan s_connectFor = TimeSpan.FromSeconds(90);

    [EmulatorRetry]
    [Test]
    public void PortForward_HostConnectsToForwardedPort_ReadsTheGuestsAnswer()
    {
        AddUplink();
        string console = Path.Combine(_directory, "console.log");
        // The guest serves one answer per connection, again and again, and prints the request each brought; every
        // 10 s it prints its TCP counters and eth0's, so that a failure shows which side the segments stopped on.
        string serve = $$"""
            $B sh -c 'while true; do echo {{Answer}} | /bin/busybox nc -l -p {{GuestPort}} >/request; echo "GUEST-GOT $(/bin/busybox cat /request)"; done' &
            echo {{Listening}}
            $B sh -c 'while true; do /bin/busybox sleep 10; echo "GUEST-TCP $(/bin/busybox grep ^Tcp: /proc/net/snmp | /bin/busybox tail -1) rx=$(/bin/busybox cat /sys/class/net/eth0/statistics/rx_packets) tx=$(/bin/busybox cat /sys/class/net/eth0/statistics/tx_packets)"; done' &
            """;
        string forward = $"<portForward proto='tcp'><range start='{HostPort}' to='{GuestPort}'/></portForward>";
        using var vmm = VmmProcessTests.StartVmm("--domain-xml", WriteDomain(console, serve, forward));
        var stderr = vmm.StandardError.ReadToEndAsync();
        var deadline = Stopwatch.StartNew();

        WaitForConsole(vmm, console, Done, deadline, stderr);
        Assert.That(Bound().IsMatch(DiskGuest.ReadConsole(console)), Is.True, "the guest has its address from passt:\n" + DiskGuest.ReadConsole(console));

        string? answer = ReadForwardedAnswer(out var attempts);

        if (answer != Answer)
        {
            vmm.Kill();
            Assert.Fail($"no answer through 127.0.0.1:{HostPort} after {attempts.Count} connections ({string.Join("; ", attempts.Distinct())});\n" +
                $"guest console:\n{DiskGuest.ReadConsole(console)}\nkvm-vmm:\n{(stderr.Wait(5000) ? stderr.Result : "")}");
        }

        Assert.That(answer, Is.EqualTo(Answer));
        Assert.That(SpinWait.SpinUntil(() => DiskGuest.ReadConsole(console).Contains($"GUEST-GOT {Request}", StringComparison.Ordinal), TimeSpan.FromSeconds(60)),
            Is.True, "the guest got the host's request:\n" + DiskGuest.ReadConsole(console));
    }

    /// <summary>
    /// Connects to passt's forwarded port, sends the request line, until the guest's line comes back: passt accepts as
    /// soon as it runs, and closes the connection when the guest refuses it (its nc between two connections); null when
    /// none came back.
    /// </summary>
    private static string? ReadForwardedAnswer(out List<string> attempts)
    {
        attempts = [];
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < s_connectFor)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, HostPort);
                var stream = client.GetStream();
                stream.ReadTimeout = 15_000;
                stream.Write(Encoding.ASCII.GetBytes(Request + "\n"));
                using var reader = new StreamReader(stream, Encoding.ASCII);
                string? line = reader.ReadLine();
                if (line is not null)
                {
                    return line.Trim();
                }

                attempts.Add("closed without a line");
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                attempts.Add(e.Message);
            }

            Thread.Sleep(1000);
        }

        return null;
    }
}
