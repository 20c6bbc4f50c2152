namespace Kvm.Driver.Rpc;

/// <summary>What the server knows about one client connection: whether it opened the driver, whether it may only read, its event callbacks.</summary>
internal sealed class RpcClientState
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, (RpcEventFamily Family, int EventId, Guid? Object, bool Legacy)> _callbacks = [];
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

    /// <summary>The connection's streams (set by the connection serving this client; null in tests without one).</summary>
    public RpcStreams? Streams { get; set; }

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

    /// <summary>
    /// Registers a callback for a domain's events (or, with <paramref name="family"/>, another object's, always with
    /// callback ids); legacy ones (REGISTER_ANY) are one per event id and carry no callback id on the wire.
    /// </summary>
    public int AddCallback(int eventId, Guid? domain, bool legacy, RpcEventFamily family = RpcEventFamily.Domain)
    {
        lock (_gate)
        {
            int id = _nextCallbackId++;
            _callbacks[id] = (family, eventId, domain, legacy);
            return id;
        }
    }

    /// <summary>Removes a callback of <paramref name="family"/>; false when that family has no callback of this id.</summary>
    public bool RemoveCallback(int callbackId, RpcEventFamily family = RpcEventFamily.Domain)
    {
        lock (_gate)
        {
            return _callbacks.TryGetValue(callbackId, out (RpcEventFamily Family, int EventId, Guid? Object, bool Legacy) callback) && callback.Family == family && _callbacks.Remove(callbackId);
        }
    }

    /// <summary>Removes the legacy callback of <paramref name="eventId"/>; false when there is none.</summary>
    public bool RemoveLegacyCallback(int eventId)
    {
        lock (_gate)
        {
            foreach ((int id, (RpcEventFamily family, int e, _, bool legacy)) in _callbacks)
            {
                if (legacy && family == RpcEventFamily.Domain && e == eventId)
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

    /// <summary>The callbacks of <paramref name="family"/> that want <paramref name="eventId"/> for the object <paramref name="uuid"/>.</summary>
    public List<(int CallbackId, bool Legacy)> CallbacksFor(int eventId, Guid uuid, RpcEventFamily family = RpcEventFamily.Domain)
    {
        lock (_gate)
        {
            var matches = new List<(int, bool)>();
            foreach ((int id, (RpcEventFamily f, int e, Guid? only, bool legacy)) in _callbacks)
            {
                if (f == family && e == eventId && (only is null || only == uuid))
                {
                    matches.Add((id, legacy));
                }
            }
            return matches;
        }
    }
}
