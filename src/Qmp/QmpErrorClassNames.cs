namespace Kvm.Qmp;

/// <summary>Wire names of <see cref="QmpErrorClass"/> (one table, used by server and client).</summary>
public static class QmpErrorClassNames
{
    public static string ToName(QmpErrorClass errorClass) => errorClass switch
    {
        QmpErrorClass.GenericError => "GenericError",
        QmpErrorClass.CommandNotFound => "CommandNotFound",
        QmpErrorClass.DeviceNotActive => "DeviceNotActive",
        QmpErrorClass.DeviceNotFound => "DeviceNotFound",
        QmpErrorClass.KVMMissingCap => "KVMMissingCap",
    };

    public static bool TryParse(string? name, out QmpErrorClass errorClass)
    {
        foreach (QmpErrorClass candidate in Enum.GetValues<QmpErrorClass>())
        {
            if (ToName(candidate) == name)
            {
                errorClass = candidate;
                return true;
            }
        }

        errorClass = QmpErrorClass.GenericError;
        return false;
    }
}
