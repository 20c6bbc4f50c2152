namespace Kvm.Qmp;

/// <summary>The QMP protocol library (issue 4): the server inside kvm-vmm and the client inside kvmd.</summary>
public static class QmpProtocol
{
    /// <summary>The QEMU version our monitor reports (major, minor, micro).</summary>
    public static readonly (int Major, int Minor, int Micro) EmulatedQemuVersion = (7, 2, 0);
}
