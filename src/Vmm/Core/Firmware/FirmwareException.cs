namespace Kvm.Vmm.Firmware;

/// <summary>A firmware file that cannot be used (missing, unreadable, the wrong size): the message names the file and why.</summary>
public sealed class FirmwareException : Exception
{
    public FirmwareException(string message)
        : base(message)
    {
    }

    public FirmwareException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
