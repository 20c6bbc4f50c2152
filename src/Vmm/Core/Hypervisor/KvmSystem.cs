using Kvm.Vmm.Interop;
using NLog;

namespace Kvm.Vmm.Hypervisor;

/// <summary>
/// The KVM subsystem, /dev/kvm: checks the API version and the capabilities the VMM relies on, and creates VMs.
/// Opening it fails with a message that says what to do: load the module, or join the group that owns the device.
/// </summary>
public sealed class KvmSystem : IDisposable
{
    public const string DefaultPath = "/dev/kvm";

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly int _fd;
    private bool _disposed;

    private KvmSystem(int fd, int vcpuMmapSize)
    {
        _fd = fd;
        VcpuMmapSize = vcpuMmapSize;
    }

    /// <summary>The size of each vCPU's shared kvm_run mapping.</summary>
    public int VcpuMmapSize { get; }

    public static KvmSystem Open(string path = DefaultPath)
    {
        int fd = Libc.Open(path, Libc.ORdWr | Libc.OCloExec);
        if (fd < 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            throw new KvmException(OpenFailure(path, errno), errno);
        }

        try
        {
            int version = Libc.Ioctl(fd, KvmIoctl.GetApiVersion, 0);
            if (version != KvmIoctl.ApiVersion)
            {
                throw new KvmException($"KVM at {path} reports API version {version}; this VMM needs version {KvmIoctl.ApiVersion}");
            }

            foreach (var capability in KvmCapability.Required)
            {
                if (Libc.Ioctl(fd, KvmIoctl.CheckExtension, (nint)capability) <= 0)
                {
                    throw new KvmException($"KVM at {path} lacks the capability {capability} (KVM_CAP_{KvmCapability.Name(capability)})");
                }
            }

            if (ReadCpuInfo() is { } cpuInfo && !HasHardwareVirtualization(cpuInfo))
            {
                // Seen on cloud VMs: /dev/kvm answers, but a guest hangs at its first instructions in long mode.
                throw new KvmException($"KVM at {path} cannot run a guest here: this CPU has neither vmx nor svm (hardware " +
                    "virtualization; /proc/cpuinfo). Use a machine with them, or run inside the nested-KVM harness (tools/nested-kvm/nested-kvm.sh)");
            }

            int mmapSize = KvmThrow.Check(Libc.Ioctl(fd, KvmIoctl.GetVcpuMmapSize, 0), "KVM_GET_VCPU_MMAP_SIZE");
            s_log.Debug("Opened {Path}: API version {Version}, vCPU mapping {Size} bytes", path, version, mmapSize);
            return new KvmSystem(fd, mmapSize);
        }
        catch
        {
            Libc.Close(fd);
            throw;
        }
    }

    /// <summary>
    /// Whether <paramref name="path"/> is a KVM that can run guests here: it exists and the CPU has vmx or svm (a
    /// /dev/kvm without either, as some cloud VMs have, is refused by <see cref="Open"/>).
    /// </summary>
    public static bool CanRunGuests(string path = DefaultPath) =>
        File.Exists(path) && (ReadCpuInfo() is not { } cpuInfo || HasHardwareVirtualization(cpuInfo));

    /// <summary>Whether /proc/cpuinfo's flags name Intel VT-x (vmx) or AMD-V (svm): without either KVM cannot run a guest.</summary>
    public static bool HasHardwareVirtualization(string cpuInfo)
    {
        foreach (var line in cpuInfo.Split('\n'))
        {
            if (line.StartsWith("flags", StringComparison.Ordinal) && line.Split([' ', '\t', ':'], StringSplitOptions.RemoveEmptyEntries) is var words
                && (words.Contains("vmx") || words.Contains("svm")))
            {
                return true;
            }
        }

        return false;
    }

    private static string? ReadCpuInfo()
    {
        try
        {
            return File.ReadAllText("/proc/cpuinfo");
        }
        catch (IOException)
        {
            return null; // no procfs: let KVM itself decide
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Whether KVM has an optional capability (KVM_CHECK_EXTENSION &gt; 0); some answer with a count.</summary>
    public int CheckExtension(int capability)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Math.Max(0, Libc.Ioctl(_fd, KvmIoctl.CheckExtension, capability));
    }

    /// <summary>The CPUID leaves KVM can give a guest on this host (KVM_GET_SUPPORTED_CPUID).</summary>
    internal unsafe KvmCpuidEntry2[] GetSupportedCpuid()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        for (int count = 64; ; count *= 2)
        {
            byte[] buffer = new byte[KvmCpuid2.HeaderSize + count * KvmCpuidEntry2.Size];
            fixed (byte* p = buffer)
            {
                ((KvmCpuid2*)p)->Count = (uint)count;
                if (Libc.Ioctl(_fd, KvmIoctl.GetSupportedCpuid, p) < 0)
                {
                    int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                    if (errno == E2Big && count < 4096)
                    {
                        continue;
                    }

                    KvmThrow.LastError("KVM_GET_SUPPORTED_CPUID");
                }

                var entries = new KvmCpuidEntry2[((KvmCpuid2*)p)->Count];
                new ReadOnlySpan<KvmCpuidEntry2>(p + KvmCpuid2.HeaderSize, entries.Length).CopyTo(entries);
                return entries;
            }
        }
    }

    private const int E2Big = 7;

    public VirtualMachine CreateVm()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int vmFd = KvmThrow.Check(Libc.Ioctl(_fd, KvmIoctl.CreateVm, 0), "KVM_CREATE_VM");
        return new VirtualMachine(this, vmFd);
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            Libc.Close(_fd);
        }
    }

    private static string OpenFailure(string path, int errno) => errno switch
    {
        Libc.ENoEnt => $"KVM is not available: {path} does not exist; is the kvm module loaded (modprobe kvm_intel or kvm_amd)?",
        Libc.EAcces => $"KVM is not accessible: permission denied on {path}; " +
                       $"join the group that owns it{DeviceGroup.Describe(path)} or run as root",
        Libc.ENxIo or Libc.ENoDev => $"KVM is not available: {path} has no driver behind it; is the kvm module loaded?",
        _ => $"KVM is not available: cannot open {path}: {Libc.ErrorText(errno)} (errno {errno})",
    };
}
