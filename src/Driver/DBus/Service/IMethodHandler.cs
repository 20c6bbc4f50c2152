using Kvm.DBus.Protocol;

namespace Kvm.DBus.Service;

/// <summary>Handles the method calls to one object path, and optionally to every path below it.</summary>
public interface IMethodHandler
{
    string Path { get; }

    /// <summary>True to also receive calls for every path below <see cref="Path"/> (a subtree such as /org/libvirt/QEMU/domain).</summary>
    bool HandlesChildPaths { get; }

    /// <summary>Handles one call; reply with <see cref="MethodContext.Reply"/> or <see cref="MethodContext.ReplyError"/>.</summary>
    ValueTask HandleMethodAsync(MethodContext context);

    /// <summary>The names of the direct children of <paramref name="path"/> this handler serves, for introspection.</summary>
    IEnumerable<string> GetChildNames(string path);

    /// <summary>
    /// True when the handler answers <paramref name="call"/> at once, without blocking (no disk writes, no waiting on
    /// another thread): the connection then runs it on its reader, saving a thread-pool hop per call. A handler that
    /// awaits still may; the reader goes on at its first await. False (the default) runs it on the thread pool.
    /// </summary>
    bool RunsInline(Message call) => false;
}
