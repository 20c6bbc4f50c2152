using System.Text;

namespace Kvm.Vmm.Tests;

/// <summary>Writes a "newc" cpio archive (the initramfs format): directories, files and device nodes.</summary>
internal sealed class CpioArchive
{
    private const int DirectoryMode = 0x4000 | 0x1ed;   // S_IFDIR | 0755
    private const int FileMode = 0x8000;                 // S_IFREG
    private const int CharDeviceMode = 0x2000 | 0x180;   // S_IFCHR | 0600

    private readonly MemoryStream _stream = new();
    private int _inode = 1;

    public CpioArchive Directory(string name) => Add(name, DirectoryMode, [], 0, 0);

    public CpioArchive File(string name, byte[] content, int permissions = 0x1ed) => Add(name, FileMode | permissions, content, 0, 0);

    public CpioArchive CharDevice(string name, int major, int minor) => Add(name, CharDeviceMode, [], major, minor);

    public byte[] ToArray()
    {
        Add("TRAILER!!!", 0, [], 0, 0);
        return _stream.ToArray();
    }

    private CpioArchive Add(string name, int mode, byte[] content, int major, int minor)
    {
        byte[] path = Encoding.ASCII.GetBytes(name + "\0");
        string header = "070701" + Hex(_inode++) + Hex(mode) + Hex(0) + Hex(0) + Hex(1) + Hex(0) + Hex(content.Length)
            + Hex(0) + Hex(0) + Hex(major) + Hex(minor) + Hex(path.Length) + Hex(0);
        _stream.Write(Encoding.ASCII.GetBytes(header));
        _stream.Write(path);
        Pad();
        _stream.Write(content);
        Pad();
        return this;
    }

    private void Pad()
    {
        while (_stream.Length % 4 != 0)
        {
            _stream.WriteByte(0);
        }
    }

    private static string Hex(int value) => value.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
}
