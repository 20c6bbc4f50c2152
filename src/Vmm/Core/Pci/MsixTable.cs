using System.Buffers.Binary;
using Kvm.Vmm.Hypervisor;
using Kvm.Vmm.Interop;
using NLog;

namespace Kvm.Vmm.Pci;

/// <summary>
/// MSI-X (PCI Local Bus 3.0, 6.8.2): the capability, the vector table (16 bytes per entry: message address, data, and
/// vector control with its mask bit) and the pending bit array, both in a memory BAR. An unmasked vector is routed
/// through the hypervisor's GSI routing to an irqfd, so a device thread interrupts the guest with one eventfd write; a
/// masked vector (or function) keeps its message pending until it is unmasked.
/// </summary>
public sealed class MsixTable : IDisposable
{
    public const byte CapabilityId = 0x11;
    public const int EntrySize = 16;

    private const ushort ControlEnable = 1 << 15;
    private const ushort ControlFunctionMask = 1 << 14;
    private const uint VectorMasked = 1;

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly IVm? _vm;
    private readonly Vector[] _vectors;
    private readonly Lock _gate = new();
    private PciConfigSpace? _config;
    private int _capability;
    private bool _enabled;
    private bool _functionMasked;

    private sealed class Vector
    {
        public ulong Address;
        public uint Data;
        public uint Control = VectorMasked;
        public bool Pending;
        public uint Gsi;
        public EventFd? Irqfd;
    }

    /// <param name="vm">The VM whose routes and irqfds deliver the messages; null in tests (messages then only go pending).</param>
    public MsixTable(IVm? vm, int vectors)
    {
        if (vectors is < 1 or > 2048)
        {
            throw new ArgumentOutOfRangeException(nameof(vectors), vectors, "MSI-X has 1 to 2048 vectors");
        }

        _vm = vm;
        _vectors = [.. Enumerable.Range(0, vectors).Select(_ => new Vector())];
    }

    public int VectorCount => _vectors.Length;

    /// <summary>Whether the driver turned MSI-X on (message control's enable bit); INTx is unused while it is.</summary>
    public bool Enabled => Volatile.Read(ref _enabled);

    /// <summary>The table's size in bytes, and the pending bit array's.</summary>
    public int TableSize => _vectors.Length * EntrySize;

    public int PbaSize => ((_vectors.Length + 63) / 64) * 8;

    /// <summary>Adds the capability: table and PBA in BAR <paramref name="bar"/> at the given offsets (8-byte aligned).</summary>
    public void AddCapability(PciConfigSpace config, int bar, uint tableOffset, uint pbaOffset)
    {
        Span<byte> body = stackalloc byte[10];
        BinaryPrimitives.WriteUInt16LittleEndian(body, (ushort)(_vectors.Length - 1));
        BinaryPrimitives.WriteUInt32LittleEndian(body[2..], tableOffset | (uint)bar);
        BinaryPrimitives.WriteUInt32LittleEndian(body[6..], pbaOffset | (uint)bar);
        byte[] writable = [0x00, 0xc0]; // message control: enable and function mask
        _capability = config.AddCapability(CapabilityId, body, writable);
        _config = config;
    }

    /// <summary>Whether a configuration write touched the message control; the transport calls it after each write.</summary>
    public bool Covers(int offset, int length) => _config is not null && offset < _capability + 4 && _capability + 2 < offset + length;

    /// <summary>Reads the enable and function-mask bits again after the guest wrote the message control.</summary>
    public void ControlChanged()
    {
        if (_config is null)
        {
            return;
        }

        ushort control = _config.Get16(_capability + 2);
        lock (_gate)
        {
            _enabled = (control & ControlEnable) != 0;
            _functionMasked = (control & ControlFunctionMask) != 0;
            for (int i = 0; i < _vectors.Length; i++)
            {
                DeliverPending(i);
            }
        }
    }

    /// <summary>Interrupts the guest with vector <paramref name="index"/>, or marks it pending while masked.</summary>
    public void Trigger(int index)
    {
        if ((uint)index >= (uint)_vectors.Length)
        {
            return;
        }

        lock (_gate)
        {
            var vector = _vectors[index];
            if (!_enabled || _functionMasked || (vector.Control & VectorMasked) != 0 || vector.Irqfd is null)
            {
                vector.Pending = true;
                return;
            }

            vector.Irqfd.Signal();
        }
    }

    public void ReadTable(ulong offset, Span<byte> data)
    {
        data.Fill(0);
        if (!TryEntry(offset, data.Length, out int index, out int field))
        {
            return;
        }

        lock (_gate)
        {
            var vector = _vectors[index];
            ulong value = field switch
            {
                0 => vector.Address | ((ulong)vector.Data << 32 & (data.Length == 8 ? ulong.MaxValue : 0)),
                4 => vector.Address >> 32,
                8 => vector.Data | ((ulong)vector.Control << 32 & (data.Length == 8 ? ulong.MaxValue : 0)),
                _ => vector.Control,
            };
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = (byte)(value >> (8 * i));
            }
        }
    }

    public void WriteTable(ulong offset, ReadOnlySpan<byte> data)
    {
        if (!TryEntry(offset, data.Length, out int index, out int field) || data.Length < 4)
        {
            return;
        }

        lock (_gate)
        {
            var vector = _vectors[index];
            uint low = BinaryPrimitives.ReadUInt32LittleEndian(data);
            uint? high = data.Length == 8 ? BinaryPrimitives.ReadUInt32LittleEndian(data[4..]) : null;
            switch (field)
            {
                case 0:
                    vector.Address = (vector.Address & ~0xffff_ffffUL) | low;
                    if (high is { } h)
                    {
                        vector.Address = (vector.Address & 0xffff_ffffUL) | ((ulong)h << 32);
                    }

                    break;
                case 4:
                    vector.Address = (vector.Address & 0xffff_ffffUL) | ((ulong)low << 32);
                    break;
                case 8:
                    vector.Data = low;
                    if (high is { } control)
                    {
                        vector.Control = control & VectorMasked;
                    }

                    break;
                default:
                    vector.Control = low & VectorMasked;
                    break;
            }

            if ((vector.Control & VectorMasked) == 0)
            {
                Route(index);
                DeliverPending(index);
            }
        }
    }

    public void ReadPba(ulong offset, Span<byte> data)
    {
        lock (_gate)
        {
            for (int i = 0; i < data.Length; i++)
            {
                byte value = 0;
                for (int bit = 0; bit < 8; bit++)
                {
                    ulong index = ((offset + (ulong)i) * 8) + (ulong)bit;
                    if (index < (ulong)_vectors.Length && _vectors[index].Pending)
                    {
                        value |= (byte)(1 << bit);
                    }
                }

                data[i] = value;
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var vector in _vectors)
            {
                if (vector.Irqfd is { } irqfd)
                {
                    _vm?.DetachIrqfd(irqfd, vector.Gsi);
                    _vm?.Routes.Release(vector.Gsi);
                    irqfd.Dispose();
                    vector.Irqfd = null;
                }
            }
        }
    }

    private bool TryEntry(ulong offset, int length, out int index, out int field)
    {
        index = (int)Math.Min(offset / EntrySize, int.MaxValue);
        field = (int)(offset % EntrySize);
        return length is 4 or 8 && offset % 4 == 0 && index < _vectors.Length && field + length <= EntrySize;
    }

    /// <summary>Points vector <paramref name="index"/>'s GSI at its message (allocating the GSI and irqfd on first use).</summary>
    private void Route(int index)
    {
        if (_vm is null)
        {
            return;
        }

        var vector = _vectors[index];
        try
        {
            if (vector.Irqfd is null)
            {
                if (!_vm.Routes.TryAllocate(out uint gsi))
                {
                    s_log.Warn("No GSI left for MSI-X vector {Vector}; its interrupts stay pending", index);
                    return;
                }

                var irqfd = EventFd.Create();
                _vm.Routes.SetMsi(gsi, vector.Address, vector.Data);
                _vm.AttachIrqfd(irqfd, gsi);
                vector.Gsi = gsi;
                vector.Irqfd = irqfd;
            }
            else
            {
                _vm.Routes.SetMsi(vector.Gsi, vector.Address, vector.Data);
            }
        }
        catch (Exception e) when (e is KvmException or IOException)
        {
            s_log.Warn("MSI-X vector {Vector} cannot be routed: {Error}", index, e.Message);
        }
    }

    private void DeliverPending(int index)
    {
        var vector = _vectors[index];
        if (vector.Pending && _enabled && !_functionMasked && (vector.Control & VectorMasked) == 0 && vector.Irqfd is { } irqfd)
        {
            vector.Pending = false;
            irqfd.Signal();
        }
    }
}
