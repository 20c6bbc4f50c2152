namespace Kvm.Driver.Rpc;

/// <summary>Which object's events a callback is for: libvirt keeps one callback list per family, each with its own event ids.</summary>
internal enum RpcEventFamily
{
    Domain,
    Network,
    StoragePool,
}
