using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Kvm.Vmm.Interop;

namespace Kvm.Vmm.Hypervisor;

/// <summary>Throw sites of the hypervisor layer, kept out of the callers' hot paths.</summary>
internal static class KvmThrow
{
    /// <summary>Throws for the errno of the last failed call: "<paramref name="what"/>: text of errno (errno N)".</summary>
    [DoesNotReturn]
    public static void LastError(string what)
    {
        int errno = Marshal.GetLastPInvokeError();
        throw new KvmException($"{what}: {Libc.ErrorText(errno)} (errno {errno})", errno);
    }

    /// <summary>The result of a call returning a descriptor or a count, or a throw when it is negative.</summary>
    public static int Check(int result, string what)
    {
        if (result < 0)
        {
            LastError(what);
        }

        return result;
    }
}
