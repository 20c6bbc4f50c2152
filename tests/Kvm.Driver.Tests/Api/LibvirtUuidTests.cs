using Kvm.Driver.Api;

namespace Kvm.Driver.Tests.Api;

[TestFixture]
public sealed class LibvirtUuidTests
{
    [TestCase("6695eb01-f6a4-8304-79aa-97f2502e193f")]
    [TestCase("6695eb01f6a4830479aa97f2502e193f")]
    [TestCase("  6695EB01-F6A4-8304-79AA-97F2502E193F \n")]
    [TestCase("66-95-eb-01-f6a4 8304-79aa-97f2502e193f")]
    public void TryParse_LibvirtForms_Parses(string text)
    {
        Assert.That(LibvirtUuid.TryParse(text, out Guid uuid), Is.True);
        Assert.That(LibvirtUuid.Format(uuid), Is.EqualTo("6695eb01-f6a4-8304-79aa-97f2502e193f"));
    }

    [TestCase("")]
    [TestCase("bogus")]
    [TestCase("6695eb01-f6a4-8304-79aa-97f2502e193")]
    [TestCase("6695eb01-f6a4-8304-79aa-97f2502e193f0")]
    [TestCase("6695eb01-f6a4-8304-79aa-97f2502e193f x")]
    [TestCase("6-695eb01-f6a4-8304-79aa-97f2502e193f")]
    public void TryParse_NotAUuid_Fails(string text) => Assert.That(LibvirtUuid.TryParse(text, out _), Is.False);
}
