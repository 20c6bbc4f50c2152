using Kvm.Driver.Domains;
using Kvm.Driver.Rpc;

namespace Kvm.Driver.Tests.Rpc;

/// <summary>The stream packets byte for byte (virnetprotocol.x; remote_daemon_stream.c's choice of type and status).</summary>
public sealed class StreamPacketsTests
{
    private const string Header = "20008086" + "00000001" + "000000c9"; // REMOTE_PROGRAM, version 1, DOMAIN_OPEN_CONSOLE

    [TestCase("", "0000001c" + Header + "00000003" + "00000007" + "00000002")]
    [TestCase("hi", "0000001e" + Header + "00000003" + "00000007" + "00000002" + "6869")]
    [TestCase("abcde", "00000021" + Header + "00000003" + "00000007" + "00000002" + "6162636465")]
    public void Data_Text_StreamContinueWithRawUnpaddedBytes(string data, string expected) =>
        Assert.That(Hex(StreamPackets.Data(201, 7, System.Text.Encoding.ASCII.GetBytes(data))), Is.EqualTo(expected));

    [Test]
    public void Finished_StreamOkWithoutBody() =>
        Assert.That(Hex(StreamPackets.Finished(201, 7)), Is.EqualTo("0000001c" + Header + "00000003" + "00000007" + "00000000"));

    [Test]
    public void Error_StreamErrorWithRemoteError()
    {
        var error = new RemoteError(VirErrorCode.Rpc, VirErrorDomain.Streams, "x");
        Assert.That(Hex(StreamPackets.Error(201, 7, error)), Is.EqualTo("00000050" + Header + "00000003" + "00000007" + "00000001"
            + "00000027" + "00000026" + "00000001" + "00000001" + "78000000" + "00000002" + "00000000"
            + "00000000" + "00000000" + "00000000" + "00000000" + "00000000" + "00000000"));
    }

    [Test]
    public void ReplyError_ReplyTypeWithStreamSerial()
    {
        string hex = Hex(StreamPackets.ReplyError(201, 9, RemoteError.Rpc("x")));
        Assert.That(hex[..(8 * 7)], Is.EqualTo("00000050" + Header + "00000001" + "00000009" + "00000001"));
    }

    [Test]
    public void Data_OverLegacyPayloadMax_Refused() =>
        Assert.That(() => StreamPackets.Data(201, 1, new byte[StreamPackets.MaxData + 1]), Throws.TypeOf<XdrException>());

    [Test]
    public void Data_AtLegacyPayloadMax_Accepted() =>
        Assert.That(StreamPackets.Data(201, 1, new byte[StreamPackets.MaxData]).ToPacket().Length, Is.EqualTo(RpcLimits.MinPacket + StreamPackets.MaxData));

    private static string Hex(PacketBuffer packet) => Convert.ToHexStringLower(packet.ToPacket().Span);
}
