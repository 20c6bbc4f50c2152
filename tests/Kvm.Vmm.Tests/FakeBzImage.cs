namespace Kvm.Vmm.Tests;

/// <summary>A file with just a bzImage's boot-protocol header: enough to pass or fail the kernel checks on purpose.</summary>
internal static class FakeBzImage
{
    public static byte[] Bytes(ushort version = 0x020f, ushort xloadflags = 1, byte setupSectors = 4, int length = 8192)
    {
        var image = new byte[length];
        image[0x1f1] = setupSectors;
        image[0x1fe] = 0x55;
        image[0x1ff] = 0xaa;
        image[0x201] = 0x6a; // jump offset: the header ends at 0x26c
        "HdrS"u8.CopyTo(image.AsSpan(0x202));
        image[0x206] = (byte)version;
        image[0x207] = (byte)(version >> 8);
        image[0x211] = 1; // LOADED_HIGH
        image[0x236] = (byte)xloadflags;
        return image;
    }
}
