using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// A boot device's s390 load parameter is 1 to 8 characters of [A-Z0-9.] and blanks, upper-cased as the s390 IPL
/// reads it (virDomainDeviceLoadparmIsValid).
/// </summary>
internal sealed class S390LoadparmRule : IDomainRule
{
    private const int MaxLength = 8;

    public void Check(ValidationContext context)
    {
        foreach (var device in context.DeviceElements)
        {
            if (device.Element(XmlNames.Boot) is not { } boot || boot.Attr(XmlNames.Loadparm) is not { } text)
            {
                continue;
            }

            string loadparm = text.ToUpperInvariant();
            if (loadparm.Trim().Length == 0 || loadparm.Length > MaxLength)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.InternalError,
                    $"loadparm value '{loadparm}' must be between 1 and 8 characters", boot, "loadparm");
            }

            if (!loadparm.All(c => c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or ' '))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.InternalError,
                    $"invalid loadparm value '{loadparm}', expecting chars in set of [a-zA-Z0-9.] and blank spaces", boot, "loadparm");
            }
        }
    }
}
