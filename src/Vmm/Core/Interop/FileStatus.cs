namespace Kvm.Vmm.Interop;

/// <summary>What fstat says about an image file.</summary>
internal readonly record struct FileStatus(long Size, ulong Device, ulong Inode, bool IsBlockDevice, bool IsRegular);
