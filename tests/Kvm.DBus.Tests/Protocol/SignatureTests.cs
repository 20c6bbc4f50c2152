using System.Text;
using Kvm.DBus.Protocol;

namespace Kvm.DBus.Tests.Protocol;

[TestFixture]
public sealed class SignatureTests
{
    [TestCase("")]
    [TestCase("y")]
    [TestCase("ybnqiuxtdsogh")]
    [TestCase("a{sv}")]
    [TestCase("a(ii)")]
    [TestCase("aa{sa(ov)}")]
    [TestCase("(i(ii)v)")]
    [TestCase("a{oa{sa{sv}}}")]
    public void IsValid_ValidSignature_True(string signature) => Assert.That(Signature.IsValid(signature), Is.True);

    [TestCase("a")]
    [TestCase("()")]
    [TestCase("(")]
    [TestCase(")")]
    [TestCase("{sv}")]
    [TestCase("a{vs}")]
    [TestCase("a{s}")]
    [TestCase("a{svs}")]
    [TestCase("a{(i)s}")]
    [TestCase("z")]
    [TestCase("(ii")]
    public void IsValid_InvalidSignature_False(string signature) => Assert.That(Signature.IsValid(signature), Is.False);

    [Test]
    public void IsValid_DepthLimits_32PerContainerKind()
    {
        Assert.That(Signature.IsValid(new string('a', 32) + "y"), Is.True);
        Assert.That(Signature.IsValid(new string('a', 33) + "y"), Is.False);
        Assert.That(Signature.IsValid(new string('(', 32) + "y" + new string(')', 32)), Is.True);
        Assert.That(Signature.IsValid(new string('(', 33) + "y" + new string(')', 33)), Is.False);
        Assert.That(Signature.IsValid(new string('a', 32) + new string('(', 32) + "y" + new string(')', 32)), Is.True);
    }

    [Test]
    public void IsValid_LengthLimit_255Bytes()
    {
        Assert.That(Signature.IsValid(new string('y', 255)), Is.True);
        Assert.That(Signature.IsValid(new string('y', 256)), Is.False);
    }

    [TestCase("v", true)]
    [TestCase("a{sv}", true)]
    [TestCase("ii", false)]
    [TestCase("", false)]
    public void IsSingleCompleteType_Cases(string signature, bool expected) =>
        Assert.That(Signature.IsSingleCompleteType(Encoding.ASCII.GetBytes(signature)), Is.EqualTo(expected));
}
