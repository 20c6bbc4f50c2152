namespace Kvm.Driver.Storage;

/// <summary>
/// kvmd's start-up step for its two directories, before any store reads or writes them: each is created 0700 or
/// refused when it is not kvmd's own (<see cref="PrivateDirectory"/>), then cleared of the temporary files of
/// interrupted writes (<see cref="AtomicFileLeftovers"/>).
/// </summary>
public static class DaemonDirectories
{
    /// <exception cref="UnsafeDirectoryException">One of them is not kvmd's own.</exception>
    public static void Prepare(string stateDirectory, string runtimeDirectory)
    {
        PrivateDirectory.Ensure(stateDirectory, "state");
        PrivateDirectory.Ensure(runtimeDirectory, "runtime");
        AtomicFileLeftovers.Remove(stateDirectory);
        AtomicFileLeftovers.Remove(runtimeDirectory);
    }
}
