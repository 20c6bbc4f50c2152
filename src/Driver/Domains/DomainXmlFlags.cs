namespace Kvm.Driver.Domains;

/// <summary>virDomainXMLFlags for GetXMLDesc.</summary>
[Flags]
public enum DomainXmlFlags : uint
{
    None = 0,
    Secure = 1,
    Inactive = 2,
    UpdateCpu = 4,
    Migratable = 8,
}
