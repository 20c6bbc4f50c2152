using Tmds.DBus.Protocol;

namespace Kvm.Kvmctl;

/// <summary>
/// A verb failed: the lines virsh would print on stderr, each after "error: " (its own message first, then
/// libvirt's, as <c>vshError</c> followed by <c>vshReportError</c> do).
/// </summary>
internal sealed class VirshErrorException : Exception
{
    public VirshErrorException(string message)
        : base(message)
    {
        Lines = [message];
    }

    public VirshErrorException(string message, DBusErrorReplyException cause)
        : base(message, cause)
    {
        Lines = [message, LibvirtClient.MessageOf(cause)];
    }

    public VirshErrorException(string message, string detail)
        : base(message)
    {
        Lines = [message, detail];
    }

    public IReadOnlyList<string> Lines { get; }
}
