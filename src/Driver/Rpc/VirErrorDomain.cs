namespace Kvm.Driver.Rpc;

/// <summary>libvirt's virErrorDomain values kvmd reports: where in libvirt an error would have been raised.</summary>
public enum VirErrorDomain
{
    None = 0,
    Rpc = 7,     // VIR_FROM_RPC: the RPC layer (virnetserverprogram.c, remote_daemon_dispatch.c)
    Qemu = 10,   // VIR_FROM_QEMU: the QEMU driver
    Storage = 18, // VIR_FROM_STORAGE: the storage driver (storage_driver.c, storage_conf.c, storage_util.c)
    Network = 19, // VIR_FROM_NETWORK: the network driver (bridge_driver.c, network_conf.c)
    Domain = 20, // VIR_FROM_DOMAIN: libvirt-domain.c's argument, read-only and support checks, domain_conf.c
    Streams = 38, // VIR_FROM_STREAMS: the daemon's streams (remote_daemon_stream.c) and their file descriptors
}
