using System.Runtime.InteropServices;
using System.Text;
using Kvm.Driver.Interop;

namespace Kvm.Driver.Storage;

/// <summary>
/// Replaces a file so that a crash at any moment leaves either the old or the new content, never a truncated file:
/// a temporary file in the same directory, fsync, rename over the target, fsync of the directory.
/// </summary>
public static class AtomicFile
{
    /// <summary>Prefix of the temporary files; loaders skip names that start with it.</summary>
    public const string TempPrefix = ".tmp-";

    public static void WriteAllText(string path, string content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        // The temporary name does not repeat the target's: a target name up to the file system's limit must not make
        // the temporary one too long. Loaders skip the prefix and start-up removes leftovers (TempFiles).
        string temp = Path.Combine(directory, TempPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = mode,
            };
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(Encoding.UTF8.GetBytes(content));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        SyncDirectory(directory);
    }

    /// <summary>Makes a rename, creation or removal in <paramref name="directory"/> durable.</summary>
    public static void SyncDirectory(string directory)
    {
        int fd = LibC.Open(directory, LibC.ORdOnly | LibC.ODirectory | LibC.OCloexec);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory {directory}: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            if (LibC.Fsync(fd) != 0)
            {
                throw new IOException($"Cannot fsync directory {directory}: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    /// <summary>Deletes a file and makes the removal durable; a missing file is not an error.</summary>
    public static void Delete(string path)
    {
        if (File.Exists(path) || IsSymlink(path))
        {
            File.Delete(path);
            SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        }
    }

    public static bool IsSymlink(string path) => new FileInfo(path).LinkTarget is not null;

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
