using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>The header fields of one incoming method call, read once from the message (an unset interface is null, an unset signature empty).</summary>
internal readonly record struct LibvirtCall(string Path, string? Interface, string Member, string Signature)
{
    public static LibvirtCall From(Message request) =>
        new(request.PathAsString ?? "/", request.InterfaceIsSet ? request.InterfaceAsString : null, request.MemberAsString ?? "", request.SignatureAsString ?? "");
}
