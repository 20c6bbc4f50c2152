using System.Runtime.InteropServices;
using System.Text;

namespace Kvm.Vmm.Interop;

/// <summary>
/// struct ifreq (linux/if.h): a NUL-terminated interface name of at most 15 bytes, then a 24-byte union (flags,
/// ifindex, mtu, a hardware address), 40 bytes in all. What TUNSETIFF and the SIOC* interface ioctls take.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 40)]
internal unsafe struct InterfaceRequest
{
    public const int NameSize = 16; // IFNAMSIZ

    public fixed byte Name[NameSize];
    public fixed byte Data[24];

    /// <summary>ifr_flags (short) / ifr_ifindex, ifr_mtu (int): the union's first bytes.</summary>
    public short Flags
    {
        readonly get => (short)(Data[0] | (Data[1] << 8));
        set
        {
            Data[0] = (byte)value;
            Data[1] = (byte)(value >> 8);
        }
    }

    public int Value
    {
        readonly get => Data[0] | (Data[1] << 8) | (Data[2] << 16) | (Data[3] << 24);
        set
        {
            for (int i = 0; i < 4; i++)
            {
                Data[i] = (byte)(value >> (8 * i));
            }
        }
    }

    /// <summary>A request naming <paramref name="name"/>; false when it does not fit IFNAMSIZ (15 bytes and a NUL).</summary>
    public static bool TryCreate(string name, out InterfaceRequest request)
    {
        request = default;
        int length = Encoding.UTF8.GetByteCount(name);
        if (length is 0 or >= NameSize)
        {
            return false;
        }

        // SAFETY: Name is NameSize bytes inside request, which lives on this frame; length < NameSize keeps the NUL.
        fixed (byte* bytes = request.Name)
        {
            Encoding.UTF8.GetBytes(name, new Span<byte>(bytes, NameSize));
        }

        return true;
    }

    /// <summary>The name the kernel wrote back (TUNSETIFF fills in a pattern such as vnet%d).</summary>
    public readonly string NameText()
    {
        // SAFETY: Name is a fixed buffer of this struct, read only within its NameSize bytes.
        fixed (byte* bytes = Name)
        {
            var span = new ReadOnlySpan<byte>(bytes, NameSize);
            int end = span.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
        }
    }

    /// <summary>ifr_hwaddr as an Ethernet sockaddr: sa_family ARPHRD_ETHER, then the six address bytes.</summary>
    public void SetHardwareAddress(ReadOnlySpan<byte> mac)
    {
        const ushort ArphrdEther = 1;
        Data[0] = (byte)ArphrdEther;
        Data[1] = 0;
        for (int i = 0; i < 6 && i < mac.Length; i++)
        {
            Data[2 + i] = mac[i];
        }
    }
}
