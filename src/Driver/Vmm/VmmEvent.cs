using Kvm.Qmp.Client;

namespace Kvm.Driver.Vmm;

/// <summary>One VMM event: STOP, RESUME, SHUTDOWN/RESET with QEMU's <c>guest</c> and <c>reason</c>, POWERDOWN, or the exit.</summary>
public readonly record struct VmmEvent(VmmEventKind Kind, bool? Guest = null, string? Reason = null)
{
    public static VmmEvent Exited { get; } = new(VmmEventKind.Exited);

    /// <summary>The QMP events that matter to the domain's state; others (and malformed data) give false.</summary>
    public static bool TryFromQmp(QmpEventMessage message, out VmmEvent vmmEvent)
    {
        VmmEventKind? kind = message.Name switch
        {
            "STOP" => VmmEventKind.Stop,
            "RESUME" => VmmEventKind.Resume,
            "SHUTDOWN" => VmmEventKind.Shutdown,
            "RESET" => VmmEventKind.Reset,
            "POWERDOWN" => VmmEventKind.Powerdown,
            _ => null,
        };
        vmmEvent = default;
        if (kind is null)
        {
            return false;
        }

        bool? guest = null;
        string? reason = null;
        if (message.Data is { } data)
        {
            if (data["guest"] is System.Text.Json.Nodes.JsonValue g && g.TryGetValue(out bool gv))
            {
                guest = gv;
            }

            if (data["reason"] is System.Text.Json.Nodes.JsonValue r && r.TryGetValue(out string? rv))
            {
                reason = rv;
            }
        }

        vmmEvent = new VmmEvent(kind.Value, guest, reason);
        return true;
    }
}
