using Kvm.Driver.Domains;

namespace Kvm.Driver.Host;

/// <summary>
/// The errors libvirt's host code raises with virReportInvalidArg and virCheckFlags: VIR_ERR_INVALID_ARG with the
/// message as written, without the "invalid argument: " prefix virReportError would add.
/// </summary>
internal static class HostErrors
{
    public static DomainOperationException InvalidArg(string message) => new(VirErrorCode.InvalidArg, message);

    /// <summary>virCheckFlags(0, -1) in <paramref name="function"/>.</summary>
    public static void CheckNoFlags(uint flags, string function)
    {
        if (flags != 0)
        {
            throw InvalidArg($"unsupported flags (0x{flags:x}) in function {function}");
        }
    }
}
