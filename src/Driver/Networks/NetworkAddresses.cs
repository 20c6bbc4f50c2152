using System.Net;
using System.Numerics;

namespace Kvm.Driver.Networks;

/// <summary>Address arithmetic on IPv4 and IPv6 (virsocketaddr.c's masks, ranges and subnets).</summary>
public static class NetworkAddresses
{
    public static BigInteger ToNumber(IPAddress address) => new(address.GetAddressBytes(), isUnsigned: true, isBigEndian: true);

    public static int Bits(IPAddress address) => address.GetAddressBytes().Length * 8;

    /// <summary>The number of leading one bits of a netmask, or -1 when it is not contiguous.</summary>
    public static int PrefixOfNetmask(IPAddress netmask)
    {
        BigInteger value = ToNumber(netmask);
        int bits = Bits(netmask);
        int prefix = 0;
        while (prefix < bits && !(value >> (bits - 1 - prefix) & 1).IsZero)
        {
            prefix++;
        }
        BigInteger expected = Mask(bits, prefix);
        return value == expected ? prefix : -1;
    }

    public static BigInteger Mask(int bits, int prefix) => ((BigInteger.One << prefix) - 1) << (bits - prefix);

    public static bool SameSubnet(IPAddress a, IPAddress b, int prefix) =>
        a.AddressFamily == b.AddressFamily && (ToNumber(a) & Mask(Bits(a), prefix)) == (ToNumber(b) & Mask(Bits(b), prefix));

    /// <summary>The subnet as "192.168.122.0/24".</summary>
    public static string Subnet(IPAddress address, int prefix)
    {
        int bits = Bits(address);
        BigInteger network = ToNumber(address) & Mask(bits, prefix);
        byte[] bytes = network.ToByteArray(isUnsigned: true, isBigEndian: true);
        var full = new byte[bits / 8];
        bytes.CopyTo(full, full.Length - bytes.Length);
        return new IPAddress(full) + "/" + prefix.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The netmask of a prefix, for dnsmasq's dhcp-range.</summary>
    public static IPAddress Netmask(int prefix)
    {
        uint mask = prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
        return new IPAddress([(byte)(mask >> 24), (byte)(mask >> 16), (byte)(mask >> 8), (byte)mask]);
    }

    /// <summary>Whether two subnets share an address.</summary>
    public static bool Overlap(IPAddress a, int prefixA, IPAddress b, int prefixB) =>
        a.AddressFamily == b.AddressFamily && SameSubnet(a, b, Math.Min(prefixA, prefixB));
}
