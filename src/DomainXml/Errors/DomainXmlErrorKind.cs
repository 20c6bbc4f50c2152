namespace Kvm.DomainXml.Errors;

/// <summary>libvirt's error categories for domain XML, each written as libvirt's message prefix.</summary>
public enum DomainXmlErrorKind
{
    /// <summary>Not well-formed XML (libvirt: VIR_ERR_XML_DETAIL).</summary>
    XmlSyntax,

    /// <summary>"XML error: ..." (VIR_ERR_XML_ERROR).</summary>
    XmlError,

    /// <summary>"unsupported configuration: ..." (VIR_ERR_CONFIG_UNSUPPORTED).</summary>
    ConfigUnsupported,

    /// <summary>"internal error: ..." (VIR_ERR_INTERNAL_ERROR).</summary>
    InternalError,

    /// <summary>"invalid argument: ..." (VIR_ERR_INVALID_ARG).</summary>
    InvalidArgument,

    /// <summary>"operation failed: ..." (VIR_ERR_OPERATION_FAILED).</summary>
    OperationFailed,

    /// <summary>Our own input limits (size, depth, DTDs): refused before libvirt's rules apply.</summary>
    InputRefused,

    /// <summary>libvirt's errors that carry no category prefix (VIR_ERR_XML_DETAIL, VIR_ERR_NO_TARGET, ...).</summary>
    Detail,
}

/// <summary>The one table of message prefixes per error kind.</summary>
public static class DomainXmlErrorKindText
{
    public static string Prefix(this DomainXmlErrorKind kind) => kind switch
    {
        DomainXmlErrorKind.XmlSyntax => "XML error",
        DomainXmlErrorKind.XmlError => "XML error",
        DomainXmlErrorKind.ConfigUnsupported => "unsupported configuration",
        DomainXmlErrorKind.InternalError => "internal error",
        DomainXmlErrorKind.InvalidArgument => "invalid argument",
        DomainXmlErrorKind.OperationFailed => "operation failed",
        DomainXmlErrorKind.InputRefused => "XML error",
        DomainXmlErrorKind.Detail => string.Empty,
    };
}
