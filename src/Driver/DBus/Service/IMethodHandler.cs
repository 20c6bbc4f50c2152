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
}
