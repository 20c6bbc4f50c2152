namespace Kvm.Qmp.Server;

public enum QmpAddressKind
{
    Unix,
    Tcp,
}
