using Kvm.Driver.Rpc;

namespace Kvm.Driver.Tests.Rpc;

public sealed class RpcServerOptionsTests
{
    [Test]
    public void Default_System_VirtqemudSocketsAndKvmdGroup()
    {
        RpcServerOptions options = RpcServerOptions.Default(system: true);
        Assert.That((options.SocketPath, options.ReadOnlySocketPath, options.Uri, options.AccessGroup),
            Is.EqualTo(("/run/libvirt/virtqemud-sock", "/run/libvirt/virtqemud-sock-ro", "qemu:///system", "kvmd")));
    }

    [Test]
    public void Default_Session_UnderXdgRuntimeDirWithoutReadOnlySocket()
    {
        string? saved = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        try
        {
            Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", "/run/user/1000");
            RpcServerOptions options = RpcServerOptions.Default(system: false);
            Assert.That((options.SocketPath, options.ReadOnlySocketPath, options.Uri, options.AccessGroup),
                Is.EqualTo(("/run/user/1000/libvirt/virtqemud-sock", (string?)null, "qemu:///session", (string?)null)));
        }
        finally
        {
            Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", saved);
        }
    }
}
