using System.Security.Cryptography;

namespace Kvm.DomainXml.Devices;

/// <summary>Where generated MAC addresses come from (libvirt: 52:54:00 and three random bytes).</summary>
public interface IMacAddressSource
{
    /// <summary>Fills the three bytes after the 52:54:00 prefix.</summary>
    void NextSuffix(Span<byte> suffix);
}

/// <summary>Random suffixes, as libvirt generates them.</summary>
public sealed class RandomMacAddressSource : IMacAddressSource
{
    public static RandomMacAddressSource Instance { get; } = new();

    public void NextSuffix(Span<byte> suffix) => RandomNumberGenerator.Fill(suffix);
}
