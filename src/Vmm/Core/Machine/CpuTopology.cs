using System.Numerics;

namespace Kvm.Vmm.Machine;

/// <summary>
/// How the vCPUs are arranged: sockets of cores of threads, with x2APIC ids built from bit fields the way real
/// hardware and QEMU number them (thread bits, then core bits, then the socket). vCPU <c>i</c> is thread
/// <c>i % Threads</c> of core <c>(i / Threads) % Cores</c> of socket <c>i / (Threads * Cores)</c>.
/// </summary>
public readonly record struct CpuTopology(int Sockets, int Cores, int Threads)
{
    /// <summary>libvirt's default without <c>&lt;topology&gt;</c>: one single-core socket per vCPU.</summary>
    public static CpuTopology Flat(int vcpus) => new(vcpus, 1, 1);

    /// <summary>How many vCPUs the topology has room for.</summary>
    public int Capacity => Sockets * Cores * Threads;

    /// <summary>Logical processors per socket.</summary>
    public int ThreadsPerSocket => Cores * Threads;

    /// <summary>Width of the thread field of an APIC id.</summary>
    public int ThreadBits => BitsFor(Threads);

    /// <summary>Width of the core field of an APIC id.</summary>
    public int CoreBits => BitsFor(Cores);

    public int SocketOf(int index) => index / ThreadsPerSocket;

    public int CoreOf(int index) => index / Threads % Cores;

    public int ThreadOf(int index) => index % Threads;

    public int ApicId(int index) => (SocketOf(index) << (CoreBits + ThreadBits)) | (CoreOf(index) << ThreadBits) | ThreadOf(index);

    private static int BitsFor(int count) => count <= 1 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)(count - 1));
}
