using System.Diagnostics.CodeAnalysis;

namespace Kvm.Qmp;

internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowQmp(QmpErrorClass errorClass, string desc) => throw new QmpException(errorClass, desc);

    [DoesNotReturn]
    public static void ThrowArgument(string message, string paramName) => throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void ThrowInvalidOperation(string message) => throw new InvalidOperationException(message);

    [DoesNotReturn]
    public static void ThrowFormat(string message) => throw new FormatException(message);
}
