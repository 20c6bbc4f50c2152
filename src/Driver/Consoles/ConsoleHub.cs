using Kvm.Driver.Domains;

namespace Kvm.Driver.Consoles;

/// <summary>
/// Mutually exclusive access to the domains' console ptys (libvirt's virChrdevs): one session per pty; a second
/// open fails with libvirt's "Active console session exists for this domain" unless forced, in which case the first
/// session is ended (<see cref="ConsoleEnd.Evicted"/>) and the new one reads only after the old reader has stopped,
/// so no byte of the guest's output goes to the evicted client.
/// </summary>
public sealed class ConsoleHub
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ConsoleSession> _sessions = new(StringComparer.Ordinal);

    /// <summary>Sessions open now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _sessions.Count;
            }
        }
    }

    /// <summary>Opens <paramref name="pty"/> for a new session (not yet reading: see <see cref="ConsoleSession.Start"/>).</summary>
    /// <exception cref="DomainOperationException">OperationFailed when a session exists and <paramref name="force"/> is false; SystemError when the pty cannot be opened.</exception>
    public ConsoleSession Open(string pty, bool force)
    {
        ArgumentException.ThrowIfNullOrEmpty(pty);
        ConsoleSession? evicted;
        ConsoleSession session;
        lock (_gate)
        {
            _sessions.TryGetValue(pty, out evicted);
            if (evicted is not null && !force)
            {
                throw new DomainOperationException(VirErrorCode.OperationFailed, "operation failed: Active console session exists for this domain");
            }
            session = new ConsoleSession(this, pty, evicted?.Stopped ?? Task.CompletedTask);
            _sessions[pty] = session;
        }
        evicted?.Evict();
        return session;
    }

    /// <summary>Forgets <paramref name="session"/> if it still holds its pty.</summary>
    internal void Release(ConsoleSession session)
    {
        lock (_gate)
        {
            if (_sessions.TryGetValue(session.Path, out ConsoleSession? current) && current == session)
            {
                _sessions.Remove(session.Path);
            }
        }
    }
}
