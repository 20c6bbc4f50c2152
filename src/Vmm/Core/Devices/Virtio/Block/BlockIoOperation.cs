namespace Kvm.Vmm.Devices.Virtio.Block;

/// <summary>What failed, as QMP's IoOperationType: a read, or a write (writes, zeroing, discards and flushes).</summary>
public enum BlockIoOperation
{
    Read,
    Write,
}
