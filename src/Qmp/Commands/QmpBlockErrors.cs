namespace Kvm.Qmp.Commands;

/// <summary>QEMU 7.2's error texts of the block commands (block.c bdrv_lookup_bs, blockdev.c qmp_block_resize).</summary>
public static class QmpBlockErrors
{
    /// <summary>Neither the backend name nor the node name matched.</summary>
    public static QmpException NotFound(string? device, string? nodeName) =>
        new(QmpErrorClass.GenericError, $"Cannot find device='{device}' nor node-name='{nodeName}'");

    public static QmpException NegativeSize() => new(QmpErrorClass.GenericError, "Parameter 'size' expects a >0 size");

    public static QmpException ReadOnly() => new(QmpErrorClass.GenericError, "Block node is read-only");
}
