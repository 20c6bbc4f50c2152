using System.Runtime.CompilerServices;
using Kvm.DBus.Interop;

namespace Kvm.DBus.Tests.Interop;

[TestFixture]
public sealed class StructSizeTests
{
    [Test]
    public void MsgHdr_MatchesLinux64() => Assert.That(Unsafe.SizeOf<MsgHdr>(), Is.EqualTo(56));

    [Test]
    public void IoVec_MatchesLinux64() => Assert.That(Unsafe.SizeOf<IoVec>(), Is.EqualTo(16));
}
