using System.Net.Sockets;

namespace Kvm.Driver.Runtime;

/// <summary>
/// Has this process's sockets run their completions on .NET's socket event threads instead of handing each one to the
/// thread pool. kvmd's D-Bus library (Tmds.DBus.Protocol) awaits every read on its socket, and the hop through the pool
/// per received message cost three to four times the processor time of the call it carried (bench/README.md, issue 20).
/// </summary>
/// <remarks>
/// .NET reads the switch once, from the environment variable <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c> (no
/// runtimeconfig or AppContext knob), when the first socket is created; it then applies to every socket of the
/// process and the event threads become one per processor. So this must run before anything creates a socket, and
/// the variable is removed again so that kvm-vmm and the host tools kvmd starts do not inherit it. Whoever sets the
/// variable themselves (to 0 or 1) keeps their choice, children included. What runs inline must not block: see
/// <c>LibvirtObjectHandler.RunsInline</c> for D-Bus calls; QMP replies and events, RPC calls and streams already go
/// on through the pool (continuations run asynchronously).
/// </remarks>
public static class InlineSocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Turns inline completions on for this process unless the variable is already set; true if it did.</summary>
    public static bool Enable()
    {
        if (Environment.GetEnvironmentVariable(Variable) is not null)
        {
            return false;
        }
        Environment.SetEnvironmentVariable(Variable, "1");
        try
        {
            // The first socket makes the runtime read the variable (and start its event threads).
            using var first = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, null);
        }
        return true;
    }
}
