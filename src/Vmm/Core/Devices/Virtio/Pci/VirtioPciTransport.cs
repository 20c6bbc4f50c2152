using System.Buffers.Binary;
using Kvm.Vmm.Bus;
using Kvm.Vmm.Hypervisor;
using Kvm.Vmm.Interop;
using Kvm.Vmm.Memory;
using Kvm.Vmm.Pci;
using NLog;

namespace Kvm.Vmm.Devices.Virtio.Pci;

/// <summary>
/// The modern virtio PCI transport (virtio 1.2, 4.1) for one <see cref="IVirtioDevice"/>: a PCI function whose
/// configuration space carries the virtio capabilities and MSI-X, and whose BAR holds the common configuration, ISR,
/// device configuration, doorbells and the MSI-X table. Each doorbell is an ioeventfd, so a queue kick reaches the
/// device's thread without the vCPU leaving the kernel; interrupts go back through MSI-X irqfds.
/// </summary>
public sealed partial class VirtioPciTransport : IPciDevice, IBusDevice, IVirtioInterrupt, IDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly IVirtioDevice _device;
    private readonly GuestMemory _memory;
    private readonly MmioBus _mmio;
    private readonly IVm? _vm;
    private readonly MsixTable _msix;
    private readonly Virtqueue[] _queues;
    private readonly bool[] _queueEnabled;
    private readonly EventFd[] _kicks;
    private readonly Lock _gate = new();
    private ulong? _barAddress;
    private bool _ioeventfds;
    private uint _deviceFeatureSelect;
    private uint _driverFeatureSelect;
    private ulong _driverFeatures;
    private ushort _configVector = Virtqueue.NoVector;
    private VirtioStatus _status;
    private int _configGeneration;
    private int _needsReset;
    private ushort _queueSelect;
    private readonly Lock _isrGate = new();
    private int _isr;
    private bool _intxAsserted;
    private bool _active;

    public VirtioPciTransport(IVirtioDevice device, GuestMemory memory, MmioBus mmio, IVm? vm)
    {
        _device = device;
        _memory = memory;
        _mmio = mmio;
        _vm = vm;
        _queues = [.. Enumerable.Range(0, device.QueueCount).Select(_ => new Virtqueue(device.QueueMaxSize))];
        _queueEnabled = new bool[device.QueueCount];
        _kicks = [.. Enumerable.Range(0, device.QueueCount).Select(_ => EventFd.Create())];
        DeviceFeatures = device.Features | VirtioFeature.Transport;

        Config = new PciConfigSpace(VirtioPciLayout.VendorId, (ushort)(VirtioPciLayout.DeviceIdBase + device.DeviceType),
            device.PciClassCode, 1, VirtioPciLayout.VendorId, VirtioPciLayout.SubsystemId);
        Config.AddBar(new PciBar(VirtioPciLayout.Bar, PciBarKind.Memory64, VirtioPciLayout.BarSize, Prefetchable: true));
        AddVirtioCapability(VirtioPciLayout.CommonCfg, VirtioPciLayout.CommonOffset, VirtioPciLayout.CommonLength);
        AddVirtioCapability(VirtioPciLayout.IsrCfg, VirtioPciLayout.IsrOffset, VirtioPciLayout.IsrLength);
        AddVirtioCapability(VirtioPciLayout.DeviceCfg, VirtioPciLayout.DeviceOffset, (uint)Math.Max(device.ConfigSize, 4));
        AddVirtioCapability(VirtioPciLayout.NotifyCfg, VirtioPciLayout.NotifyOffset, VirtioPciLayout.NotifyLength, VirtioPciLayout.NotifyOffMultiplier);
        _msix = new MsixTable(vm, device.QueueCount + 1);
        _msix.AddCapability(Config, VirtioPciLayout.Bar, VirtioPciLayout.MsixTableOffset, VirtioPciLayout.MsixPbaOffset);
        Config.SetInterruptPin(1); // INTA
        Config.BarsChanged += MoveBar;
    }

    public string Name => _device.Name;

    /// <summary>
    /// The INTx line (INTA, routed by the machine): used while MSI-X is off, asserted while the ISR has a bit set and
    /// the command register allows INTx, dropped when the driver reads the ISR (4.1.4.5). Null: no INTx (tests).
    /// </summary>
    public IInterruptLine? Intx { get; init; }

    public PciConfigSpace Config { get; }

    public IVirtioDevice Device => _device;

    /// <summary>Every feature offered: the device's and the transport's.</summary>
    public ulong DeviceFeatures { get; }

    public VirtioStatus Status
    {
        get
        {
            lock (_gate)
            {
                return CurrentStatus;
            }
        }
    }

    private VirtioStatus CurrentStatus => _status | (Volatile.Read(ref _needsReset) != 0 ? VirtioStatus.DeviceNeedsReset : VirtioStatus.None);

    public void ReadConfig(int offset, Span<byte> data) => Config.Read(offset, data);

    public void WriteConfig(int offset, ReadOnlySpan<byte> data)
    {
        Config.Write(offset, data);
        if (_msix.Covers(offset, data.Length))
        {
            _msix.ControlChanged();
        }

        if (offset < PciConfigSpace.Command + 2 && PciConfigSpace.Command < offset + data.Length || _msix.Covers(offset, data.Length))
        {
            lock (_isrGate)
            {
                UpdateIntx(); // INTx disabled or enabled, or MSI-X turned on or off
            }
        }
    }

    /// <summary>Places the BAR (the machine does, as firmware would) and turns memory decoding on.</summary>
    public void Place(ulong barAddress)
    {
        Config.SetBarAddress(VirtioPciLayout.Bar, barAddress);
        Span<byte> command = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(command, PciConfigSpace.CommandMemory | PciConfigSpace.CommandBusMaster);
        Config.Write(PciConfigSpace.Command, command);
    }

    public void Read(ulong offset, Span<byte> data)
    {
        data.Fill(0);
        switch (offset)
        {
            case < VirtioPciLayout.CommonOffset + VirtioPciLayout.CommonLength:
                ReadCommon((int)offset, data);
                break;
            case >= VirtioPciLayout.IsrOffset and < VirtioPciLayout.IsrOffset + 4:
                // Reading the ISR status clears it, and drops the INTx line (4.1.4.5).
                data[0] = offset == VirtioPciLayout.IsrOffset ? TakeIsr() : (byte)0;
                break;
            case >= VirtioPciLayout.DeviceOffset and < VirtioPciLayout.DeviceOffset + VirtioPciLayout.DeviceLength:
                ReadDeviceConfig((int)(offset - VirtioPciLayout.DeviceOffset), data);
                break;
            case >= VirtioPciLayout.MsixTableOffset and < VirtioPciLayout.MsixPbaOffset:
                _msix.ReadTable(offset - VirtioPciLayout.MsixTableOffset, data);
                break;
            case >= VirtioPciLayout.MsixPbaOffset and < VirtioPciLayout.BarSize:
                _msix.ReadPba(offset - VirtioPciLayout.MsixPbaOffset, data);
                break;
        }
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        switch (offset)
        {
            case < VirtioPciLayout.CommonOffset + VirtioPciLayout.CommonLength:
                WriteCommon((int)offset, data);
                break;
            case >= VirtioPciLayout.DeviceOffset and < VirtioPciLayout.DeviceOffset + VirtioPciLayout.DeviceLength:
                WriteDeviceConfig((int)(offset - VirtioPciLayout.DeviceOffset), data);
                break;
            case >= VirtioPciLayout.NotifyOffset and < VirtioPciLayout.NotifyOffset + VirtioPciLayout.NotifyLength:
                // A doorbell write that reached us (ioeventfd missing, or an access of another width): same effect.
                ulong queue = (offset - VirtioPciLayout.NotifyOffset) / VirtioPciLayout.NotifyOffMultiplier;
                if (queue < (ulong)_kicks.Length)
                {
                    _kicks[queue].Signal();
                }

                break;
            case >= VirtioPciLayout.MsixTableOffset and < VirtioPciLayout.MsixPbaOffset:
                _msix.WriteTable(offset - VirtioPciLayout.MsixTableOffset, data);
                break;
        }
    }

    public void NotifyQueue(int queue)
    {
        if ((uint)queue >= (uint)_queues.Length)
        {
            return;
        }

        if (!_msix.Enabled)
        {
            RaiseIsr(1);
            return;
        }

        Interlocked.Or(ref _isr, 1);
        ushort vector = _queues[queue].MsixVector;
        if (vector != Virtqueue.NoVector)
        {
            _msix.Trigger(vector);
        }
    }

    public void NotifyConfigChange()
    {
        // Device threads call this: it takes no lock the transport holds while it stops the device.
        Interlocked.Increment(ref _configGeneration);
        if (!_msix.Enabled)
        {
            RaiseIsr(2);
            return;
        }

        Interlocked.Or(ref _isr, 2);
        if (_configVector != Virtqueue.NoVector)
        {
            _msix.Trigger(_configVector);
        }
    }

    public void Fail()
    {
        if (Interlocked.Exchange(ref _needsReset, 1) != 0)
        {
            return;
        }

        s_log.Warn("{Device} needs a reset by its driver", _device.Name);
        NotifyConfigChange();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            StopDevice();
            DetachDoorbells();
        }

        _msix.Dispose();
        foreach (var kick in _kicks)
        {
            kick.Dispose();
        }

        _device.Dispose();
    }

    /// <summary>Sets ISR bits and asserts INTx (MSI-X is off: 4.1.5.3, 4.1.5.4), unless the command register disables it.</summary>
    private void RaiseIsr(int bits)
    {
        lock (_isrGate)
        {
            _isr |= bits;
            UpdateIntx();
        }
    }

    private byte TakeIsr()
    {
        lock (_isrGate)
        {
            int isr = _isr;
            _isr = 0;
            UpdateIntx();
            return (byte)isr;
        }
    }

    /// <summary>The INTx level follows the ISR and the command register's INTx disable bit. Holds <see cref="_isrGate"/>.</summary>
    private void UpdateIntx()
    {
        bool level = _isr != 0 && !_msix.Enabled && (Config.CommandValue & PciConfigSpace.CommandIntxDisable) == 0;
        if (level != _intxAsserted && Intx is { } line)
        {
            _intxAsserted = level;
            line.Set(level);
        }
    }

    private void AddVirtioCapability(byte type, uint offset, uint length, uint? notifyMultiplier = null)
    {
        // struct virtio_pci_cap after cap_vndr and cap_next: cap_len, cfg_type, bar, id, padding[2], offset, length.
        Span<byte> body = stackalloc byte[notifyMultiplier is null ? 14 : 18];
        body[0] = (byte)(body.Length + 2);
        body[1] = type;
        body[2] = VirtioPciLayout.Bar;
        BinaryPrimitives.WriteUInt32LittleEndian(body[6..], offset);
        BinaryPrimitives.WriteUInt32LittleEndian(body[10..], length);
        if (notifyMultiplier is { } multiplier)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(body[14..], multiplier);
        }

        Config.AddCapability(VirtioPciLayout.VendorCapability, body);
    }

    /// <summary>Follows the guest's BAR programming: the MMIO range and the doorbells move with it.</summary>
    private void MoveBar()
    {
        lock (_gate)
        {
            ulong? address = Config.DecodedAddress(VirtioPciLayout.Bar);
            if (address == _barAddress)
            {
                return;
            }

            DetachDoorbells();
            if (_barAddress is { } old)
            {
                _mmio.Unregister(old, this);
            }

            _barAddress = null;
            if (address is { } at)
            {
                if (_mmio.TryRegister(at, VirtioPciLayout.BarSize, this, out string? error))
                {
                    _barAddress = at;
                    AttachDoorbells(at);
                }
                else
                {
                    s_log.Warn("{Device}: BAR {Bar} at 0x{Address:x} is not usable: {Error}", _device.Name, VirtioPciLayout.Bar, at, error);
                }
            }
        }
    }

    private void AttachDoorbells(ulong bar)
    {
        if (_vm is null)
        {
            return;
        }

        for (int queue = 0; queue < _kicks.Length; queue++)
        {
            ulong address = bar + VirtioPciLayout.NotifyOffset + ((ulong)queue * VirtioPciLayout.NotifyOffMultiplier);
            if (!_vm.TryAttachIoeventfd(_kicks[queue], address, 2, pio: false, out string? error))
            {
                s_log.Warn("{Device}: queue {Queue}'s doorbell exits to the VMM: {Error}", _device.Name, queue, error);
                for (int attached = 0; attached < queue; attached++)
                {
                    _vm.DetachIoeventfd(_kicks[attached], bar + VirtioPciLayout.NotifyOffset + ((ulong)attached * VirtioPciLayout.NotifyOffMultiplier), 2, pio: false);
                }

                return;
            }
        }

        _ioeventfds = true;
    }

    private void DetachDoorbells()
    {
        if (_vm is null || !_ioeventfds || _barAddress is not { } bar)
        {
            return;
        }

        for (int queue = 0; queue < _kicks.Length; queue++)
        {
            _vm.DetachIoeventfd(_kicks[queue], bar + VirtioPciLayout.NotifyOffset + ((ulong)queue * VirtioPciLayout.NotifyOffMultiplier), 2, pio: false);
        }

        _ioeventfds = false;
    }

    private void ReadDeviceConfig(int offset, Span<byte> data)
    {
        if (offset + data.Length <= _device.ConfigSize)
        {
            _device.ReadConfig(offset, data);
        }
    }

    private void WriteDeviceConfig(int offset, ReadOnlySpan<byte> data)
    {
        if (offset + data.Length <= _device.ConfigSize)
        {
            _device.WriteConfig(offset, data);
        }
    }
}
