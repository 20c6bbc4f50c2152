using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// <c>&lt;portForward proto='tcp'&gt;&lt;range start='N' to='M'/&gt;</c> end to end: busybox's nc listens on port M
/// in the guest, and the outer guest (passt's host) connects to its own loopback's port N, where passt listens, and
/// reads the guest's answer.
/// </summary>
public sealed partial class PasstBootTests
{
    private const int HostPort = 10080;
    private const int GuestPort = 8080;
    private const string Answer = "GUEST-ANSWER-FORWARDED";
    private const string Listening = "FORWARD-LISTENING";
    private static readonly TimeSpan s_connectFor = TimeSpan.FromSeconds(90);

    [EmulatorRetry]
    [Test]
    public void PortForward_HostConnectsToForwardedPort_ReadsTheGuestsAnswer()
    {
        AddUplink();
        string console = Path.Combine(_directory, "console.log");
        // The guest serves one answer per connection, again and again; every 10 s it prints its TCP counters and
        // eth0's, so that a failure shows which side the segments stopped on.
        string serve = $$"""
            $B sh -c 'while true; do echo {{Answer}} | /bin/busybox nc -l -p {{GuestPort}}; done' &
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
    }

    /// <summary>
    /// Connects to passt's forwarded port until the guest's line comes back: passt accepts as soon as it runs, and
    /// closes the connection when the guest refuses it (its nc between two connections); null when none came back.
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
