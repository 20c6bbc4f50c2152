using Kvm.DomainXml.Devices;

namespace Kvm.DomainXml.Tests.CorpusTests;

/// <summary>
/// The MAC suffixes libvirt's own test suite sees: its random-number mock yields bytes whose low byte is 0, so a
/// generated address is 52:54:00:00:00:00. Used only to compare with libvirt's expected outputs.
/// </summary>
public sealed class LibvirtTestSuiteMacSource : IMacAddressSource
{
    public void NextSuffix(Span<byte> suffix) => suffix.Clear();
}
