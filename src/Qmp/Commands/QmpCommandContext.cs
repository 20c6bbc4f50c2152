namespace Kvm.Qmp.Commands;

/// <summary>What a command may use: the machine, the registry, the reported version, and its session.</summary>
public sealed class QmpCommandContext
{
    public QmpCommandContext(IQmpMachine machine, QmpCommandRegistry registry, QmpVersionInfo version)
    {
        Machine = machine;
        Registry = registry;
        Version = version;
    }

    public IQmpMachine Machine { get; }

    public QmpCommandRegistry Registry { get; }

    public QmpVersionInfo Version { get; }

    /// <summary>Set by a command (quit) to close the connection once its reply is written.</summary>
    public bool CloseAfterReply { get; set; }
}
