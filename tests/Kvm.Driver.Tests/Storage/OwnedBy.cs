using System.Runtime.InteropServices;
using Kvm.Driver.Interop;

namespace Kvm.Driver.Tests.Storage;

/// <summary>Gives a file to another user, as an attacker's planted file would be (the tests run as root).</summary>
internal static class OwnedBy
{
    public const int Nobody = 65534;

    public static void Chown(string path, int uid)
    {
        Assume.That(LibC.Geteuid(), Is.Zero, "giving a file to another user needs root");
        Assert.That(LibC.Chown(path, uid, uid), Is.Zero, $"chown errno {Marshal.GetLastPInvokeError()}");
    }
}
