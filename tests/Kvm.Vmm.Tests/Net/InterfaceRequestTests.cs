using System.Runtime.CompilerServices;
using Kvm.Vmm.Interop;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Net;

public sealed class InterfaceRequestTests
{
    [Test]
    public void SizeOf_IsThatOfStructIfreq() => Assert.That(Unsafe.SizeOf<InterfaceRequest>(), Is.EqualTo(40));

    [Test]
    public void SizeOf_PollFd_IsThatOfStructPollfd() => Assert.That(Unsafe.SizeOf<PollFd>(), Is.EqualTo(8));

    [TestCase("vnet%d")]
    [TestCase("br0")]
    [TestCase("fifteen-chars-x")]
    public void TryCreate_NameThatFits_RoundTrips(string name)
    {
        Assert.That(InterfaceRequest.TryCreate(name, out var request), Is.True);
        Assert.That(request.NameText(), Is.EqualTo(name));
    }

    [TestCase("")]
    [TestCase("sixteen-chars-xx")]
    public void TryCreate_EmptyOrLongerThanIfnamsiz_IsFalse(string name) =>
        Assert.That(InterfaceRequest.TryCreate(name, out _), Is.False);

    [Test]
    public void Flags_AndValue_ShareTheUnion()
    {
        InterfaceRequest.TryCreate("tap0", out var request);
        request.Value = 0x12345678;
        Assert.That(request.Flags, Is.EqualTo(0x5678));
        request.Flags = 0x1003;
        Assert.That(request.Value, Is.EqualTo(0x12341003));
    }
}
