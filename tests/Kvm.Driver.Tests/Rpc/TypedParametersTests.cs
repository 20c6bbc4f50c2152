using Kvm.Driver.Rpc;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Tests.Rpc;

public sealed class TypedParametersTests
{
    [Test]
    public void Write_EachType_FieldThenDiscriminantThenValue()
    {
        KeyValuePair<string, VariantValue>[] parameters =
        [
            new("i", VariantValue.Int32(-1)),
            new("u", VariantValue.UInt32(2)),
            new("l", VariantValue.Int64(-3)),
            new("U", VariantValue.UInt64(4)),
            new("d", VariantValue.Double(1.5)),
            new("b", VariantValue.Bool(true)),
            new("s", VariantValue.String("vda")),
        ];
        Assert.That(XdrWriterTests.Hex((ref XdrWriter w) => TypedParameters.Write(ref w, parameters, TypedParameters.MaxDomainStats)), Is.EqualTo(
            "00000007"
            + "00000001" + "69000000" + "00000001" + "ffffffff"
            + "00000001" + "75000000" + "00000002" + "00000002"
            + "00000001" + "6c000000" + "00000003" + "fffffffffffffffd"
            + "00000001" + "55000000" + "00000004" + "0000000000000004"
            + "00000001" + "64000000" + "00000005" + "3ff8000000000000"
            + "00000001" + "62000000" + "00000006" + "00000001"
            + "00000001" + "73000000" + "00000007" + "00000003" + "76646100"));
    }
}
