using Kvm.Driver.Rpc;

namespace Kvm.Driver.Tests.Rpc;

public sealed class RemoteDomainTests
{
    [Test]
    public void Write_Domain_NameRawUuidInTextOrderAndId() =>
        Assert.That(XdrWriterTests.Hex((ref XdrWriter w) => RemoteDomain.Write(ref w, "a", Guid.Parse("6a1f3c2e-5b7d-4e8a-9c0f-1d2e3f4a5b6c"), -1)),
            Is.EqualTo("00000001" + "61000000" + "6a1f3c2e5b7d4e8a9c0f1d2e3f4a5b6c" + "ffffffff"));

    [Test]
    public void ReadUuid_WrittenDomain_SameUuidAllConsumed()
    {
        var uuid = Guid.Parse("01234567-89ab-cdef-0123-456789abcdef");
        byte[] bytes = Convert.FromHexString(XdrWriterTests.Hex((ref XdrWriter w) => RemoteDomain.Write(ref w, "guest", uuid, 7)));
        var reader = new XdrReader(bytes);
        Assert.That(RemoteDomain.ReadUuid(ref reader), Is.EqualTo(uuid));
        Assert.That(reader.Remaining, Is.Zero);
    }
}
