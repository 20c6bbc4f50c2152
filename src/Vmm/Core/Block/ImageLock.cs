using Kvm.Vmm.Interop;

namespace Kvm.Vmm.Block;

/// <summary>
/// QEMU's image locking (block/file-posix.c): one-byte OFD read locks at 100 + bit for each permission held and at
/// 200 + bit for each permission not shared with others, checked first against the other side's bytes. Permission
/// bits: consistent read 0, write 1, write unchanged 2, resize 3. Observed from qemu-io 7.2 in /proc/locks: a writable
/// open holds 100, 101, 103, 201 and 203. The locks go with the descriptor, so closing the file drops them.
/// </summary>
internal static class ImageLock
{
    private const int PermBase = 100;
    private const int SharedBase = 200;
    private const int ConsistentRead = 0;
    private const int Write = 1;
    private const int Resize = 3;

    private static readonly string[] s_names = ["consistent read", "write", "write unchanged", "resize"];

    /// <summary>
    /// Takes the locks for a writable open (consistent read, write, resize held; write and resize not shared unless
    /// <paramref name="shareable"/>) or a read-only one (consistent read held, write not shared).
    /// </summary>
    public static void Acquire(ImageFile file, bool writable, bool shareable)
    {
        int[] held = writable ? [ConsistentRead, Write, Resize] : [ConsistentRead];
        int[] unshared = shareable ? [] : writable ? [Write, Resize] : [Write];
        foreach (int bit in held)
        {
            Check(file, SharedBase + bit, $"Failed to get \"{s_names[bit]}\" lock");
        }

        foreach (int bit in unshared)
        {
            Check(file, PermBase + bit, $"Failed to get shared \"{s_names[bit]}\" lock");
        }

        foreach (int bit in held)
        {
            Take(file, PermBase + bit);
        }

        foreach (int bit in unshared)
        {
            Take(file, SharedBase + bit);
        }
    }

    private static void Check(ImageFile file, int offset, string what)
    {
        int result = FileIo.TestLock(file.Handle, FileIo.LockWrite, offset, out short conflicting);
        if (result != 0)
        {
            throw new BlockException($"Cannot test the image lock of {file.Path}: {Libc.ErrorText(-result)}");
        }

        if (conflicting != FileIo.LockNone)
        {
            throw new BlockException($"{what} on {file.Path}: is another process using the image?");
        }
    }

    private static void Take(ImageFile file, int offset)
    {
        int result = FileIo.SetLock(file.Handle, FileIo.LockRead, offset);
        if (result != 0)
        {
            throw new BlockException($"Cannot lock {file.Path} at byte {offset}: {Libc.ErrorText(-result)}");
        }
    }
}
