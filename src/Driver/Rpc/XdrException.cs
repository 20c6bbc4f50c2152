namespace Kvm.Driver.Rpc;

/// <summary>Malformed XDR: a read past the end, a size over its limit, a bad boolean or padding.</summary>
public sealed class XdrException : Exception
{
    public XdrException(string message)
        : base(message)
    {
    }
}
