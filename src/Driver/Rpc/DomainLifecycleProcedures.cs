using Kvm.Driver.Api;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Rpc;

/// <summary>Running domains: start, stop, pause and the runtime facts (info, state, control info, vCPUs).</summary>
internal sealed class DomainLifecycleProcedures
{
    private const uint AcpiPowerButton = 1; // virDomainShutdownFlagValues / virDomainRebootFlagValues
    private const uint AffectLive = 1, AffectConfig = 2, VcpuMaximum = 4; // virDomainModificationImpact, VIR_DOMAIN_VCPU_MAXIMUM

    private readonly IDomainManager _manager;
    private readonly CancellationToken _stopping;

    public DomainLifecycleProcedures(IDomainManager manager, CancellationToken stopping)
    {
        _manager = manager;
        _stopping = stopping;
    }

    /// <summary>DOMAIN_CREATE returns nothing; DOMAIN_CREATE_WITH_FLAGS returns the domain again, now with its id.</summary>
    public async ValueTask<PacketBuffer> CreateAsync(RpcCall call, bool withFlags)
    {
        (Guid uuid, uint flags) = DomainAndFlags(call, withFlags);
        LibvirtErrors.CheckFlags(flags, LibvirtErrors.StartPaused, "qemuDomainCreateWithFlags");
        await _manager.StartAsync(_manager.LookupByUuid(uuid).Uuid, (flags & LibvirtErrors.StartPaused) != 0, _stopping).ConfigureAwait(false);
        if (!withFlags)
        {
            return call.Empty();
        }
        PacketBuffer reply = call.Reply(out XdrWriter body);
        RemoteDomain.Write(ref body, _manager.LookupByUuid(uuid));
        return reply;
    }

    public async ValueTask<PacketBuffer> CreateXmlAsync(RpcCall call)
    {
        (string xml, uint flags) = ReadXmlAndFlags(call);
        LibvirtErrors.CheckFlags(flags, LibvirtErrors.StartPaused, "qemuDomainCreateXML");
        DomainInfo created = await _manager.CreateTransientAsync(xml, (flags & LibvirtErrors.StartPaused) != 0, _stopping).ConfigureAwait(false);
        PacketBuffer reply = call.Reply(out XdrWriter body);
        RemoteDomain.Write(ref body, created);
        return reply;
    }

    public async ValueTask<PacketBuffer> DestroyAsync(RpcCall call, bool withFlags)
    {
        (Guid uuid, uint flags) = DomainAndFlags(call, withFlags);
        LibvirtErrors.CheckFlags(flags, 0, "qemuDomainDestroyFlags");
        await _manager.DestroyAsync(_manager.LookupByUuid(uuid).Uuid, _stopping).ConfigureAwait(false);
        return call.Empty();
    }

    public async ValueTask<PacketBuffer> ShutdownAsync(RpcCall call, bool withFlags)
    {
        (Guid uuid, uint flags) = DomainAndFlags(call, withFlags);
        LibvirtErrors.CheckFlags(flags, AcpiPowerButton, "qemuDomainShutdownFlags");
        await _manager.ShutdownAsync(_manager.LookupByUuid(uuid).Uuid, _stopping).ConfigureAwait(false);
        return call.Empty();
    }

    public async ValueTask<PacketBuffer> RebootAsync(RpcCall call)
    {
        (Guid uuid, uint flags) = DomainAndFlags(call, withFlags: true);
        LibvirtErrors.CheckFlags(flags, AcpiPowerButton, "qemuDomainReboot");
        await _manager.RebootAsync(_manager.LookupByUuid(uuid).Uuid, _stopping).ConfigureAwait(false);
        return call.Empty();
    }

    public async ValueTask<PacketBuffer> ResetAsync(RpcCall call)
    {
        (Guid uuid, uint flags) = DomainAndFlags(call, withFlags: true);
        LibvirtErrors.CheckFlags(flags, 0, "qemuDomainReset");
        await _manager.ResetAsync(_manager.LookupByUuid(uuid).Uuid, _stopping).ConfigureAwait(false);
        return call.Empty();
    }

    public async ValueTask<PacketBuffer> SuspendAsync(RpcCall call)
    {
        (Guid uuid, _) = DomainAndFlags(call, withFlags: false);
        await _manager.SuspendAsync(_manager.LookupByUuid(uuid).Uuid, _stopping).ConfigureAwait(false);
        return call.Empty();
    }

    public async ValueTask<PacketBuffer> ResumeAsync(RpcCall call)
    {
        (Guid uuid, _) = DomainAndFlags(call, withFlags: false);
        await _manager.ResumeAsync(_manager.LookupByUuid(uuid).Uuid, _stopping).ConfigureAwait(false);
        return call.Empty();
    }

    /// <summary>remote_domain_get_info_ret: state (unsigned char, one XDR unit), maxMem, memory, nrVirtCpu (unsigned short, one unit), cpuTime.</summary>
    public PacketBuffer GetInfo(RpcCall call)
    {
        (Guid uuid, _) = DomainAndFlags(call, withFlags: false);
        DomainInfo domain = _manager.LookupByUuid(uuid);
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteUInt32((uint)domain.State);
        body.WriteUInt64(domain.MaxMemoryKiB);
        body.WriteUInt64(domain.MemoryKiB);
        body.WriteUInt32(Math.Min(domain.Vcpus, ushort.MaxValue));
        body.WriteUInt64(domain.CpuTimeNs);
        return reply;
    }

    public PacketBuffer GetState(RpcCall call)
    {
        (Guid uuid, uint flags) = DomainAndFlags(call, withFlags: true);
        LibvirtErrors.CheckFlags(flags, 0, "qemuDomainGetState");
        DomainInfo domain = _manager.LookupByUuid(uuid);
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteInt32((int)domain.State);
        body.WriteInt32(domain.Reason);
        return reply;
    }

    public PacketBuffer IsActive(RpcCall call)
    {
        (Guid uuid, _) = DomainAndFlags(call, withFlags: false);
        return call.ReplyInt(_manager.LookupByUuid(uuid).Active ? 1 : 0);
    }

    public PacketBuffer GetControlInfo(RpcCall call)
    {
        (Guid uuid, uint flags) = DomainAndFlags(call, withFlags: true);
        LibvirtErrors.CheckFlags(flags, 0, "qemuDomainGetControlInfo");
        DomainControlInfo control = _manager.GetControlInfo(_manager.LookupByUuid(uuid).Uuid);
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteUInt32(control.State);
        body.WriteUInt32(control.Details);
        body.WriteUInt64(control.StateTimeMs);
        return reply;
    }

    /// <summary>libvirt's QEMU driver says "posix"; kvmd has no scheduler parameters: 0 of them (as the D-Bus SchedulerType property).</summary>
    public PacketBuffer GetSchedulerType(RpcCall call)
    {
        (Guid uuid, _) = DomainAndFlags(call, withFlags: false);
        _manager.LookupByUuid(uuid);
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteString("posix");
        body.WriteInt32(0);
        return reply;
    }

    /// <summary>virDomainGetVcpusFlags: as the D-Bus front end answers it.</summary>
    public async ValueTask<PacketBuffer> GetVcpusFlagsAsync(RpcCall call)
    {
        (Guid uuid, uint flags) = DomainAndFlags(call, withFlags: true);
        LibvirtErrors.CheckFlags(flags, AffectLive | AffectConfig | VcpuMaximum, "qemuDomainGetVcpusFlags");
        if ((flags & (AffectLive | AffectConfig)) == (AffectLive | AffectConfig))
        {
            throw new DomainOperationException(VirErrorCode.InvalidArg,
                "invalid argument: Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive");
        }
        DomainInfo domain = _manager.LookupByUuid(uuid);
        int count = (flags & AffectLive) != 0 && (flags & VcpuMaximum) == 0
            ? (await _manager.GetVcpusAsync(domain.Uuid, _stopping).ConfigureAwait(false)).Count
            : (int)domain.Vcpus;
        return call.ReplyInt(count);
    }

    private static (Guid Uuid, uint Flags) DomainAndFlags(RpcCall call, bool withFlags)
    {
        XdrReader args = call.Reader();
        Guid uuid = RemoteDomain.ReadUuid(ref args);
        uint flags = withFlags ? args.ReadUInt32() : 0;
        args.EnsureEnd();
        return (uuid, flags);
    }

    private static (string Xml, uint Flags) ReadXmlAndFlags(RpcCall call)
    {
        XdrReader args = call.Reader();
        string xml = args.ReadXmlString();
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        return (xml, flags);
    }
}
