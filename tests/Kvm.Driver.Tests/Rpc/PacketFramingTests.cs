using Kvm.Driver.Domains;
using Kvm.Driver.Rpc;

namespace Kvm.Driver.Tests.Rpc;

public sealed class PacketFramingTests
{
    [Test]
    public void ToPacket_CallHeader_LengthWordCountsItself()
    {
        var header = new RpcHeader(RpcPrograms.Remote, 1, 1, RpcMessageType.Call, 7, RpcStatus.Ok);
        PacketBuffer packet = PacketBuffer.Start(header, out XdrWriter body);
        body.WriteOptionalString("qemu:///session");
        body.WriteUInt32(0);
        Assert.That(Convert.ToHexStringLower(packet.ToPacket().Span), Is.EqualTo(
            "00000038" + "20008086" + "00000001" + "00000001" + "00000000" + "00000007" + "00000000"
            + "00000001" + "0000000f" + "71656d753a2f2f2f73657373696f6e00" + "00000000"));
    }

    [Test]
    public void ReplyHeader_Call_SameProgramProcedureSerialTypeReply()
    {
        var call = new RpcHeader(RpcPrograms.Remote, 1, 273, RpcMessageType.Call, 42, RpcStatus.Ok);
        Assert.That(call.ReplyHeader(RpcStatus.Error), Is.EqualTo(new RpcHeader(RpcPrograms.Remote, 1, 273, RpcMessageType.Reply, 42, RpcStatus.Error)));
    }

    [Test]
    public void Read_WrittenHeader_RoundTrips()
    {
        var header = new RpcHeader(RpcPrograms.Keepalive, 1, 1, RpcMessageType.Message, 0, RpcStatus.Ok);
        byte[] bytes = PacketBuffer.Start(header, out _).ToPacket()[RpcLimits.LengthWord..].ToArray();
        Assert.That(Convert.ToHexStringLower(bytes), Is.EqualTo("6b656570" + "00000001" + "00000001" + "00000002" + "00000000" + "00000000"));
        var reader = new XdrReader(bytes);
        Assert.That(RpcHeader.Read(ref reader), Is.EqualTo(header));
    }

    [TestCase(28u, true)]
    [TestCase(27u, false)]
    [TestCase(0u, false)]
    [TestCase(33_554_432u, true)]
    [TestCase(33_554_433u, false)]
    [TestCase(0xffffffffu, false)]
    public void TryReadLength_Bounds_LibvirtLimits(uint length, bool ok)
    {
        byte[] word = [(byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length];
        Assert.That(PacketFraming.TryReadLength(word, out int remaining, out string? error), Is.EqualTo(ok));
        Assert.That(ok ? remaining : error!.Length, ok ? Is.EqualTo((int)length - 4) : Is.GreaterThan(0));
    }

    [Test]
    public void RemoteError_NotSupported_WireLayoutOfVirNetMessageError()
    {
        var call = new RpcHeader(RpcPrograms.Remote, 1, 56, RpcMessageType.Call, 3, RpcStatus.Ok);
        ReadOnlyMemory<byte> packet = RemoteError.NotSupported("virDomainGetSchedulerType").ToReply(call).ToPacket();
        string message = "this function is not supported by the connection driver: virDomainGetSchedulerType";
        string hexMessage = Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(message)) + new string('0', 2 * ((4 - message.Length % 4) % 4));
        Assert.That(Convert.ToHexStringLower(packet.Span[4..]), Is.EqualTo(
            "20008086" + "00000001" + "00000038" + "00000001" + "00000003" + "00000001"
            + "00000003" + "00000014" + "00000001" + message.Length.ToString("x8") + hexMessage
            + "00000002" + "00000000" + "00000000" + "00000000" + "00000000" + "00000000" + "00000000" + "00000000"));
        Assert.That((int)VirErrorCode.NoSupport, Is.EqualTo(3));
    }

    [Test]
    public void PacketBuffer_OverMaxPacket_Throws()
    {
        PacketBuffer packet = PacketBuffer.Start(new RpcHeader(RpcPrograms.Remote, 1, 1, RpcMessageType.Reply, 1, RpcStatus.Ok), out _);
        Assert.That(() => packet.GetSpan(RpcLimits.MaxPacket), Throws.TypeOf<XdrException>());
    }
}
