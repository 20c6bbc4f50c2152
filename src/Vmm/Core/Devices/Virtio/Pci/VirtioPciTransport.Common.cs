using System.Buffers.Binary;
using L = Kvm.Vmm.Devices.Virtio.Pci.VirtioPciLayout;

namespace Kvm.Vmm.Devices.Virtio.Pci;

/// <summary>The common configuration structure (virtio 1.2, 4.1.4.3): features, status, and the queue registers.</summary>
public sealed partial class VirtioPciTransport
{
    private void ReadCommon(int offset, Span<byte> data)
    {
        lock (_gate)
        {
            for (int i = 0; i < data.Length; i++)
            {
                int at = offset + i;
                (int start, ulong value) = CommonRegister(at);
                data[i] = (byte)(value >> (8 * (at - start)));
            }
        }
    }

    /// <summary>The register holding byte <paramref name="offset"/>: where it starts and its value now.</summary>
    private (int Start, ulong Value) CommonRegister(int offset)
    {
        var queue = _queueSelect < _queues.Length ? _queues[_queueSelect] : null;
        return offset switch
        {
            < L.DeviceFeature => (L.DeviceFeatureSelect, _deviceFeatureSelect),
            < L.DriverFeatureSelect => (L.DeviceFeature, _deviceFeatureSelect < 2 ? (uint)(DeviceFeatures >> (32 * (int)_deviceFeatureSelect)) : 0u),
            < L.DriverFeature => (L.DriverFeatureSelect, _driverFeatureSelect),
            < L.ConfigMsixVector => (L.DriverFeature, _driverFeatureSelect < 2 ? (uint)(_driverFeatures >> (32 * (int)_driverFeatureSelect)) : 0u),
            < L.NumQueues => (L.ConfigMsixVector, _configVector),
            < L.DeviceStatus => (L.NumQueues, (ulong)_queues.Length),
            L.DeviceStatus => (L.DeviceStatus, (byte)CurrentStatus),
            L.ConfigGeneration => (L.ConfigGeneration, (byte)Volatile.Read(ref _configGeneration)),
            < L.QueueSize => (L.QueueSelect, _queueSelect),
            < L.QueueMsixVector => (L.QueueSize, queue?.Size ?? 0),
            < L.QueueEnable => (L.QueueMsixVector, queue?.MsixVector ?? Virtqueue.NoVector),
            < L.QueueNotifyOff => (L.QueueEnable, queue is null ? 0u : _queueEnabled[_queueSelect] ? 1u : 0u),
            < L.QueueDesc => (L.QueueNotifyOff, queue is null ? 0u : _queueSelect),
            < L.QueueDriver => (L.QueueDesc, queue?.DescriptorTable ?? 0),
            < L.QueueDevice => (L.QueueDriver, queue?.AvailableRing ?? 0),
            < (int)L.CommonLength => (L.QueueDevice, queue?.UsedRing ?? 0),
            _ => (offset, 0),
        };
    }

    private void WriteCommon(int offset, ReadOnlySpan<byte> data)
    {
        ulong value = data.Length switch
        {
            1 => data[0],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(data),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(data),
            8 => BinaryPrimitives.ReadUInt64LittleEndian(data),
            _ => 0,
        };
        lock (_gate)
        {
            var queue = _queueSelect < _queues.Length ? _queues[_queueSelect] : null;
            bool queueWritable = queue is not null && !_queueEnabled[_queueSelect] && !_active;
            switch (offset)
            {
                case L.DeviceFeatureSelect when data.Length == 4:
                    _deviceFeatureSelect = (uint)value;
                    break;
                case L.DriverFeatureSelect when data.Length == 4:
                    _driverFeatureSelect = (uint)value;
                    break;
                case L.DriverFeature when data.Length == 4 && _driverFeatureSelect < 2 && (_status & VirtioStatus.FeaturesOk) == 0:
                    int shift = 32 * (int)_driverFeatureSelect;
                    _driverFeatures = (_driverFeatures & ~(0xffff_ffffUL << shift)) | (value << shift);
                    break;
                case L.ConfigMsixVector when data.Length == 2:
                    _configVector = value < (ulong)_msix.VectorCount ? (ushort)value : Virtqueue.NoVector;
                    break;
                case L.DeviceStatus when data.Length == 1:
                    SetStatus((VirtioStatus)value);
                    break;
                case L.QueueSelect when data.Length == 2:
                    _queueSelect = (ushort)value;
                    break;
                case L.QueueSize when data.Length == 2 && queueWritable:
                    queue!.Size = (ushort)value;
                    break;
                case L.QueueMsixVector when data.Length == 2 && queue is not null:
                    queue.MsixVector = value < (ulong)_msix.VectorCount ? (ushort)value : Virtqueue.NoVector;
                    break;
                case L.QueueEnable when data.Length == 2 && queue is not null && value == 1:
                    _queueEnabled[_queueSelect] = true;
                    break;
                case L.QueueDesc or L.QueueDesc + 4 when queueWritable:
                    queue!.DescriptorTable = Merge(queue.DescriptorTable, offset - L.QueueDesc, data.Length, value);
                    break;
                case L.QueueDriver or L.QueueDriver + 4 when queueWritable:
                    queue!.AvailableRing = Merge(queue.AvailableRing, offset - L.QueueDriver, data.Length, value);
                    break;
                case L.QueueDevice or L.QueueDevice + 4 when queueWritable:
                    queue!.UsedRing = Merge(queue.UsedRing, offset - L.QueueDevice, data.Length, value);
                    break;
                default:
                    if (s_log.IsDebugEnabled)
                    {
                        s_log.Debug("{Device}: ignored common config write at 0x{Offset:x} ({Width} bytes)", _device.Name, offset, data.Length);
                    }

                    break;
            }
        }
    }

    /// <summary>A 64-bit queue address written whole or as two 32-bit halves (4.1.3.1).</summary>
    private static ulong Merge(ulong current, int half, int width, ulong value) => (half, width) switch
    {
        (0, 8) => value,
        (0, 4) => (current & ~0xffff_ffffUL) | value,
        (4, 4) => (current & 0xffff_ffffUL) | (value << 32),
        _ => current,
    };

    /// <summary>Device status writes: 0 resets; FEATURES_OK is kept only for a valid feature set; DRIVER_OK starts the device.</summary>
    private void SetStatus(VirtioStatus value)
    {
        if (value == VirtioStatus.None)
        {
            ResetDevice();
            return;
        }

        var added = value & ~_status;
        if ((added & VirtioStatus.FeaturesOk) != 0)
        {
            bool valid = (_driverFeatures & ~DeviceFeatures) == 0 && (_driverFeatures & VirtioFeature.Version1) != 0;
            if (!valid)
            {
                s_log.Warn("{Device}: the driver asked for features 0x{Asked:x} of 0x{Offered:x}; FEATURES_OK refused",
                    _device.Name, _driverFeatures, DeviceFeatures);
                value &= ~VirtioStatus.FeaturesOk;
            }
        }

        _status = value & ~VirtioStatus.DeviceNeedsReset;
        if ((added & VirtioStatus.DriverOk) != 0 && (_status & VirtioStatus.FeaturesOk) != 0 && !_active)
        {
            StartDevice();
        }
    }

    private void StartDevice()
    {
        bool eventIdx = (_driverFeatures & VirtioFeature.RingEventIdx) != 0;
        bool indirect = (_driverFeatures & VirtioFeature.RingIndirectDesc) != 0;
        var active = new Virtqueue?[_queues.Length];
        for (int i = 0; i < _queues.Length; i++)
        {
            if (!_queueEnabled[i])
            {
                continue;
            }

            if (!_queues[i].TryActivate(_memory, eventIdx, indirect, out string? error))
            {
                s_log.Warn("{Device}: queue {Queue} cannot start: {Error}", _device.Name, i, error);
                Volatile.Write(ref _needsReset, 1);
                return;
            }

            active[i] = _queues[i];
        }

        _active = true;
        s_log.Debug("{Device}: driver ready with features 0x{Features:x}", _device.Name, _driverFeatures);
        _device.Activate(new VirtioActivation(_memory, _driverFeatures, active, _kicks, this));
    }

    private void StopDevice()
    {
        if (_active)
        {
            _active = false;
            _device.Reset();
        }
    }

    private void ResetDevice()
    {
        StopDevice();
        foreach (var queue in _queues)
        {
            queue.Reset();
        }

        Array.Clear(_queueEnabled);
        foreach (var kick in _kicks)
        {
            kick.TryConsume();
        }

        _status = VirtioStatus.None;
        Volatile.Write(ref _needsReset, 0);
        _driverFeatures = 0;
        _deviceFeatureSelect = _driverFeatureSelect = 0;
        _configVector = Virtqueue.NoVector;
        _queueSelect = 0;
        lock (_isrGate)
        {
            _isr = 0;
            UpdateIntx();
        }
    }
}
