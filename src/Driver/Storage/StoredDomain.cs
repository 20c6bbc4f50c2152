using Kvm.DomainXml;

namespace Kvm.Driver.Storage;

/// <summary>A definition loaded from the state directory; <see cref="Valid"/> is false when it no longer validates.</summary>
public sealed record StoredDomain(DomainDocument Document, bool Autostart, bool Valid);
