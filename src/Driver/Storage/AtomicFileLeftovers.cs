using NLog;

namespace Kvm.Driver.Storage;

/// <summary>
/// Removes the temporary files (<see cref="AtomicFile.TempPrefix"/>) that an <see cref="AtomicFile"/> write leaves
/// when kvmd is killed between creating and renaming it. Run at start, before anything writes: the target of such a
/// file still holds its old content (or does not exist), so the temporary one is garbage.
/// </summary>
public static class AtomicFileLeftovers
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private static readonly EnumerationOptions s_walk = new()
    {
        RecurseSubdirectories = true,
        // Never through a symbolic link: only what lies under the directory itself.
        AttributesToSkip = FileAttributes.ReparsePoint,
        IgnoreInaccessible = true,
        MatchType = MatchType.Simple,
        MaxRecursionDepth = 8,
    };

    /// <summary>Removes the leftovers under <paramref name="directory"/> and its subdirectories; returns how many.</summary>
    public static int Remove(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        int removed = 0;
        foreach (string file in Directory.EnumerateFiles(directory, AtomicFile.TempPrefix + "*", s_walk))
        {
            // Only kvmd's own: a file someone else put there is reported by the loaders, not deleted.
            if (!FileOwner.IsOwnedBySelf(file))
            {
                continue;
            }

            try
            {
                File.Delete(file);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                s_log.Warn("Cannot remove the leftover temporary file {File}: {Error}", file, e.Message);
            }
        }

        if (removed > 0)
        {
            s_log.Info("Removed {Count} temporary files of interrupted writes under {Directory}", removed, directory);
        }

        return removed;
    }
}
