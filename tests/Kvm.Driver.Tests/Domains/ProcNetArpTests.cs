using Kvm.Driver.Domains;

namespace Kvm.Driver.Tests.Domains;

public sealed class ProcNetArpTests
{
    // As the kernel prints it (net/ipv4/arp.c): header, then complete (0x2), incomplete (0x0) and permanent (0x6) entries.
    private const string Table = """
        IP address       HW type     Flags       HW address            Mask     Device
        192.168.122.50   0x1         0x2         52:54:00:AB:cd:01     *        virbr0
        192.168.122.51   0x1         0x0         00:00:00:00:00:00     *        virbr0
        10.0.0.7         0x1         0x6         52:54:00:ab:cd:02     *        br1
        """;

    [Test]
    public void Parse_Table_CompleteEntriesWithLowerCaseMacs()
    {
        Assert.That(ProcNetArp.Parse(Table), Is.EqualTo(new[] { ("192.168.122.50", "52:54:00:ab:cd:01"), ("10.0.0.7", "52:54:00:ab:cd:02") }));
    }

    [TestCase("header\n192.168.1.1 0x1 0x2 52:54:00:ab:cd:01 *")]
    [TestCase("header\nnot-an-ip 0x1 0x2 52:54:00:ab:cd:01 * eth0")]
    [TestCase("header\n192.168.1.1 0x1 2 52:54:00:ab:cd:01 * eth0")]
    [TestCase("header\n192.168.1.1 0x1 0xzz 52:54:00:ab:cd:01 * eth0")]
    [TestCase("header\n192.168.1.1 0x1 0x2 52:54:00:ab * eth0")]
    [TestCase("header\nfe80::1 0x1 0x2 52:54:00:ab:cd:01 * eth0")]
    [TestCase("")]
    public void Parse_MalformedLine_Skipped(string table) =>
        Assert.That(ProcNetArp.Parse(table), Is.Empty);
}
