namespace Kvm.Driver.Rpc;

/// <summary>What the server knows about one client connection: whether it opened the driver, whether it may only read, its event callbacks.</summary>
internal sealed class RpcClientState
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, (int EventId, Guid? Domain, bool Legacy)> _callbacks = [];
    private int _nextCallbackId = 1;

    private volatile bool _readOnly;
    private volatile bool _opened;

    public RpcClientState(bool readOnlySocket, uint peerUid)
    {
        _readOnly = readOnlySocket;
        PeerUid = peerUid;
    }

    /// <summary>The client came in on the read-only socket, or opened the connection with VIR_CONNECT_RO.</summary>
    public bool ReadOnly => _readOnly;

    public uint PeerUid { get; }

    /// <summary>CONNECT_OPEN succeeded (and CONNECT_CLOSE not yet seen).</summary>
    public bool Opened => _opened;

    /// <summary>The URI the client opened, as the daemon reports it back (CONNECT_GET_URI).</summary>
    public string? Uri { get; private set; }

    public void Open(bool readOnly, string uri)
    {
        _readOnly |= readOnly;
        Uri = uri;
        _opened = true;
    }

    public void Close()
    {
        _opened = false;
        lock (_gate)
        {
            _callbacks.Clear();
        }
    }

    /// <summary>Registers a callback; legacy ones (REGISTER_ANY) are one per event id and carry no callback id on the wire.</summary>
    public int AddCallback(int eventId, Guid? domain, bool legacy)
    {
        lock (_gate)
        {
            int id = _nextCallbackId++;
            _callbacks[id] = (eventId, domain, legacy);
            return id;
        }
    }

    public bool RemoveCallback(int callbackId)
    {
        lock (_gate)
        {
            return _callbacks.Remove(callbackId);
        }
    }

    /// <summary>Removes the legacy callback of <paramref name="eventId"/>; false when there is none.</summary>
    public bool RemoveLegacyCallback(int eventId)
    {
        lock (_gate)
        {
            foreach ((int id, (int e, _, bool legacy)) in _callbacks)
            {
                if (legacy && e == eventId)
                {
                    return _callbacks.Remove(id);
                }
            }
            return false;
        }
    }

    public int CallbackCount
    {
        get
        {
            lock (_gate)
            {
                return _callbacks.Count;
            }
        }
    }

    /// <summary>The callbacks that want <paramref name="eventId"/> for <paramref name="domain"/>.</summary>
    public List<(int CallbackId, bool Legacy)> CallbacksFor(int eventId, Guid domain)
    {
        lock (_gate)
        {
            var matches = new List<(int, bool)>();
            foreach ((int id, (int e, Guid? only, bool legacy)) in _callbacks)
            {
                if (e == eventId && (only is null || only == domain))
                {
                    matches.Add((id, legacy));
                }
            }
            return matches;
        }
    }
}
