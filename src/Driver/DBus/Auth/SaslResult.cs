namespace Kvm.DBus.Auth;

/// <summary>The outcome of authentication: the server's GUID and whether descriptors may be passed.</summary>
public readonly record struct SaslResult(string ServerGuid, bool UnixFdsAgreed);
