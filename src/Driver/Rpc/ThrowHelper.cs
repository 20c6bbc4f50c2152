using System.Diagnostics.CodeAnalysis;

namespace Kvm.Driver.Rpc;

/// <summary>The RPC front end's throw sites, kept out of the hot paths.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowTruncated(int needed, int remaining) =>
        throw new XdrException($"Truncated data: {needed} bytes needed, {remaining} left");

    [DoesNotReturn]
    public static void ThrowTooLong(string what, long length, int limit) =>
        throw new XdrException($"The {what} length {length} exceeds the limit {limit}");

    [DoesNotReturn]
    public static void ThrowBadValue(string what, long value) =>
        throw new XdrException($"Invalid {what} {value}");
}
