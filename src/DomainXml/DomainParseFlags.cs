namespace Kvm.DomainXml;

/// <summary>Parse options, as libvirt's VIR_DOMAIN_DEF_PARSE_* flags.</summary>
[Flags]
public enum DomainParseFlags
{
    None = 0,

    /// <summary>Parse an inactive (persistent) definition: live-only data such as <c>id</c> is dropped.</summary>
    Inactive = 1 << 0,

    /// <summary>Skip semantic validation (used when loading stored definitions, so a domain never vanishes).</summary>
    SkipValidate = 1 << 1,
}

/// <summary>Format options, as libvirt's VIR_DOMAIN_DEF_FORMAT_* / VIR_DOMAIN_XML_* flags.</summary>
[Flags]
public enum DomainFormatFlags
{
    None = 0,

    /// <summary>Include security-sensitive data (passwords, cookies).</summary>
    Secure = 1 << 0,

    /// <summary>Format the inactive definition (no live-only data).</summary>
    Inactive = 1 << 1,

    /// <summary>Omit data that must not travel with a migration.</summary>
    Migratable = 1 << 2,
}
