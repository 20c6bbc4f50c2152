using System.Runtime.InteropServices;
using Kvm.Vmm.Interop;
using Kvm.Vmm.Memory;
using Microsoft.Win32.SafeHandles;

namespace Kvm.Vmm.Vhost;

/// <summary>
/// One open vhost character device (/dev/vhost-vsock, /dev/vhost-net): the calls every vhost device type shares
/// (linux/vhost.h): ownership, features, the guest memory table, and per queue its size, base, ring addresses, and
/// its kick, call and error eventfds. A device type adds its own calls on <see cref="Fd"/> (vsock: the CID and
/// running; net: the backend tap). Not thread-safe: its device calls it under its own lock.
/// </summary>
public sealed unsafe class VhostDevice : IDisposable
{
    private readonly SafeFileHandle _handle;

    private VhostDevice(SafeFileHandle handle, string path)
    {
        _handle = handle;
        Path = path;
    }

    public string Path { get; }

    /// <summary>The descriptor, for a device type's own ioctls; valid while this object is not disposed.</summary>
    internal int Fd => (int)_handle.DangerousGetHandle();

    /// <summary>The features the kernel offers (VHOST_GET_FEATURES), read once at open.</summary>
    public ulong Features { get; private set; }

    /// <summary>
    /// Opens <paramref name="path"/>, becomes its owner (VHOST_SET_OWNER: the kernel's worker then works in this
    /// process's address space) and reads its features. <paramref name="module"/> names the kernel module for the
    /// error when the device is missing.
    /// </summary>
    public static VhostDevice Open(string path, string module)
    {
        int fd = Libc.Open(path, Libc.ORdWr | Libc.OCloExec);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            string hint = errno is Libc.ENoEnt or Libc.ENoDev or Libc.ENxIo ? $" (load the kernel module: modprobe {module})" : string.Empty;
            throw new VhostException($"Cannot open {path}: {Libc.ErrorText(errno)}{hint}", errno);
        }

        var device = new VhostDevice(new SafeFileHandle(fd, ownsHandle: true), path);
        try
        {
            device.Call(VhostIoctl.SetOwner, null, "VHOST_SET_OWNER");
            ulong features;
            // SAFETY: features lives on this frame; the kernel writes its 8 bytes.
            device.Call(VhostIoctl.GetFeatures, &features, "VHOST_GET_FEATURES");
            device.Features = features;
            return device;
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Wraps a descriptor that is already open and owned, with the features it offers: for unit tests of the layers
    /// above, which give it a file that answers every ioctl with an error (the real device is tested in the harness).
    /// </summary>
    internal static VhostDevice FromHandle(SafeFileHandle handle, string path, ulong features) => new(handle, path) { Features = features };

    /// <summary>VHOST_SET_FEATURES: the features the driver accepted (a subset of <see cref="Features"/>).</summary>
    public void SetFeatures(ulong features) => Call(VhostIoctl.SetFeatures, &features, "VHOST_SET_FEATURES");

    /// <summary>VHOST_SET_MEM_TABLE: every region of guest RAM, so the kernel translates the rings' buffer addresses.</summary>
    public void SetMemoryTable(IReadOnlyList<GuestRegion> regions)
    {
        int size = VhostMemoryHeader.Size + (regions.Count * VhostMemoryRegion.Size);
        byte* table = (byte*)NativeMemory.AllocZeroed((nuint)size);
        try
        {
            // SAFETY: table holds the header and regions.Count entries, written within its size.
            ((VhostMemoryHeader*)table)->Regions = (uint)regions.Count;
            var entries = (VhostMemoryRegion*)(table + VhostMemoryHeader.Size);
            for (int i = 0; i < regions.Count; i++)
            {
                entries[i] = new VhostMemoryRegion
                {
                    GuestPhysAddr = regions[i].GuestAddress,
                    MemorySize = regions[i].Size,
                    UserspaceAddr = (ulong)regions[i].HostAddress,
                };
            }

            Call(VhostIoctl.SetMemTable, table, "VHOST_SET_MEM_TABLE");
        }
        finally
        {
            NativeMemory.Free(table);
        }
    }

    /// <summary>Sets queue <paramref name="index"/> up: its size, its next avail index, and its rings (host addresses).</summary>
    public void SetVring(uint index, ushort size, ushort nextAvail, nint descriptors, nint available, nint used)
    {
        var num = new VhostVringState { Index = index, Num = size };
        Call(VhostIoctl.SetVringNum, &num, "VHOST_SET_VRING_NUM");
        var state = new VhostVringState { Index = index, Num = nextAvail };
        Call(VhostIoctl.SetVringBase, &state, "VHOST_SET_VRING_BASE");
        var address = new VhostVringAddr
        {
            Index = index,
            DescUserAddr = (ulong)descriptors,
            AvailUserAddr = (ulong)available,
            UsedUserAddr = (ulong)used,
        };
        Call(VhostIoctl.SetVringAddr, &address, "VHOST_SET_VRING_ADDR");
    }

    /// <summary>The eventfd the guest's doorbell for queue <paramref name="index"/> signals (the transport's ioeventfd).</summary>
    public void SetKick(uint index, EventFd kick) => SetFile(VhostIoctl.SetVringKick, index, kick.Fd, "VHOST_SET_VRING_KICK");

    /// <summary>The eventfd the kernel signals when it wants the guest interrupted for queue <paramref name="index"/>.</summary>
    public void SetCall(uint index, EventFd call) => SetFile(VhostIoctl.SetVringCall, index, call.Fd, "VHOST_SET_VRING_CALL");

    /// <summary>The eventfd the kernel signals when the guest broke queue <paramref name="index"/> (a bad descriptor, say).</summary>
    public void SetError(uint index, EventFd error) => SetFile(VhostIoctl.SetVringErr, index, error.Fd, "VHOST_SET_VRING_ERR");

    /// <summary>VHOST_GET_VRING_BASE: queue <paramref name="index"/>'s next avail index (after the device type stopped its datapath).</summary>
    public ushort StopVring(uint index)
    {
        var state = new VhostVringState { Index = index };
        Call(VhostIoctl.GetVringBase, &state, "VHOST_GET_VRING_BASE");
        return (ushort)state.Num;
    }

    /// <summary>Issues a device type's own ioctl; throws <see cref="VhostException"/> with the errno on failure.</summary>
    internal void Call(nuint request, void* argument, string name)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        // SAFETY: argument points at a struct of the size the request encodes (or is null for _IO requests), alive for the call.
        if (Libc.Ioctl(Fd, request, argument) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new VhostException($"{name} on {Path} failed: {Libc.ErrorText(errno)}", errno);
        }
    }

    public void Dispose() => _handle.Dispose();

    private void SetFile(nuint request, uint index, int fd, string name)
    {
        var file = new VhostVringFile { Index = index, Fd = fd };
        Call(request, &file, name);
    }
}
