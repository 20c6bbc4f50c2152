using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Commands;
using Kvm.Qmp.Protocol;
using NLog;

namespace Kvm.Qmp.Server;

/// <summary>
/// Delivers events to every negotiated session of every monitor of the process. The message is built
/// once (timestamped when emitted) and queued without waiting, so the VM never blocks on a client.
/// </summary>
public sealed class QmpEventHub : IQmpEventSink
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly Lock _gate = new();
    private readonly Lock _emitGate = new();
    private QmpSession[] _sessions = [];

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public void Emit(string name) => Broadcast(name, default);

    public void Emit<TData>(string name, TData data, JsonTypeInfo<TData> dataTypeInfo) =>
        Broadcast(name, JsonSerializer.SerializeToUtf8Bytes(data, dataTypeInfo));

    internal void Add(QmpSession session)
    {
        lock (_gate)
        {
            _sessions = [.. _sessions, session];
        }
    }

    internal void Remove(QmpSession session)
    {
        lock (_gate)
        {
            _sessions = Array.FindAll(_sessions, s => !ReferenceEquals(s, session));
        }
    }

    private void Broadcast(string name, ReadOnlySpan<byte> data)
    {
        // One order for everybody (QEMU emits under its big lock): timestamp and queue under one gate.
        // Queuing never waits, so the gate is held only for the copies into the queues.
        lock (_emitGate)
        {
            byte[] message = QmpMessages.Event(name, data, Clock.GetUtcNow());
            QmpSession[] sessions = Volatile.Read(ref _sessions);
            s_log.Debug("Event {Event} to {Count} monitors", name, sessions.Length);
            foreach (QmpSession session in sessions)
            {
                session.EnqueueEvent(message);
            }
        }
    }
}
