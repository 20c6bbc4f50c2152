using System.Text;
using System.Text.Json.Nodes;
using Kvm.Qmp.Protocol;

namespace Kvm.Qmp.Tests.Protocol;

public sealed class QmpMessagesTests
{
    private static string Wire(byte[] message) => Encoding.ASCII.GetString(message);

    [Test]
    public void Error_WithId_PutsIdFirstLikeQemu()
    {
        byte[] message = QmpMessages.Error(QmpErrorClass.CommandNotFound, "The command x has not been found", new QmpRequestId(true, JsonValue.Create(1)));
        Assert.That(Wire(message), Is.EqualTo("{\"id\": 1, \"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command x has not been found\"}}\r\n"));
    }

    [Test]
    public void Return_WithId_PutsIdLastLikeQemu()
    {
        byte[] message = QmpMessages.Return("{\"a\":[1,2]}"u8, new QmpRequestId(true, JsonValue.Create("x")));
        Assert.That(Wire(message), Is.EqualTo("{\"return\": {\"a\": [1, 2]}, \"id\": \"x\"}\r\n"));
    }

    [TestCase("caf\u00e9-\u2603", "caf\\u00E9-\\u2603")]
    [TestCase("\U0001F600", "\\uD83D\\uDE00")]
    [TestCase("a'b<c>&+/", "a'b<c>&+/")]
    [TestCase("\u0001\u007f\r\n\t\"\\", "\\u0001\\u007F\\r\\n\\t\\\"\\\\")]
    public void Error_NonAsciiDesc_IsEscapedAsQemu(string desc, string expected)
    {
        string wire = Wire(QmpMessages.Error(QmpErrorClass.GenericError, desc, QmpRequestId.None));
        Assert.That(wire, Is.EqualTo("{\"error\": {\"class\": \"GenericError\", \"desc\": \"" + expected + "\"}}\r\n"));
        Assert.That(wire.All(c => c < 0x80), Is.True);
    }

    [Test]
    public void Return_LargeIdValues_EchoedAsQemu()
    {
        var parser = new QmpInputParser();
        var output = new List<QmpInput>();
        parser.Append("[9223372036854775807, 18446744073709551615, 18446744073709551616, 3.5, -1]"u8, output);
        byte[] message = QmpMessages.Return("{}"u8, new QmpRequestId(true, output[0].Value));
        Assert.That(Wire(message), Is.EqualTo("{\"return\": {}, \"id\": [9223372036854775807, 18446744073709551615, 1.8446744073709552e+19, 3.5, -1]}\r\n"));
    }

    [Test]
    public void Event_WithoutData_HasNoDataMember()
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1795480315776) + TimeSpan.FromTicks(7090);
        Assert.That(Wire(QmpMessages.Event("STOP", default, at)), Is.EqualTo("{\"timestamp\": {\"seconds\": 1795480315, \"microseconds\": 776709}, \"event\": \"STOP\"}\r\n"));
    }
}
