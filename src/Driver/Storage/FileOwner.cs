using Kvm.Driver.Interop;
using NLog;

namespace Kvm.Driver.Storage;

/// <summary>Who owns a file kvmd is about to load: only its own user's files are taken.</summary>
public static class FileOwner
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    /// <summary>
    /// True when <paramref name="path"/> itself (not a link's target) is owned by kvmd's user; otherwise logs that it
    /// is skipped and returns false. A file that cannot be examined is left to the caller's read, which reports it.
    /// </summary>
    public static bool IsOwnedBySelf(string path)
    {
        if (LibC.Lstat(path, out StatBuf st) != 0)
        {
            return true;
        }

        uint self = LibC.Geteuid();
        if (st.Uid == self)
        {
            return true;
        }

        s_log.Warn("Skipping {File}: it is owned by uid {Owner}, not by kvmd's user (uid {Self})", path, st.Uid, self);
        return false;
    }
}
