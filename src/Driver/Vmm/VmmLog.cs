using System.Text;
using System.Text.RegularExpressions;

namespace Kvm.Driver.Vmm;

/// <summary>
/// Reads what kvm-vmm wrote to its log since a start: its error for a failed start (what libvirt reports from QEMU's
/// log too). kvmd learns runtime facts such as the console's pty from QMP (query-chardev), never from here.
/// </summary>
public static partial class VmmLog
{
    private const string ErrorPrefix = "kvm-vmm: ERROR ";

    public static long LengthOf(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    public static string ReadFrom(string path, long offset)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    /// <summary>The VMM's error lines (without their prefix), else its last lines: what a failed start reports.</summary>
    public static string ErrorOf(string text)
    {
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string[] errors = lines.Where(l => l.StartsWith(ErrorPrefix, StringComparison.Ordinal)).Select(l => l[ErrorPrefix.Length..]).ToArray();
        return errors.Length > 0 ? string.Join("; ", errors) : string.Join("; ", lines.TakeLast(3));
    }

    /// <summary>
    /// The pty in kvm-vmm's "char device redirected to /dev/pts/N (label charserial0)" line, as QEMU writes it for a
    /// person; kvmd itself asks query-chardev (<see cref="VmmInstance.ConsolePtyOf"/>).
    /// </summary>
    public static string? PtyOf(string text) => PtyLine().Match(text) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex(@"char device redirected to (\S+) \(label [^)]+\)")]
    private static partial Regex PtyLine();
}
