using System.Diagnostics;

namespace Kvm.Kvmctl;

/// <summary>
/// Puts the controlling terminal of standard input in raw mode (as virsh console's cfmakeraw) with stty(1), and
/// restores the saved settings on dispose. Does nothing when standard input is not a terminal.
/// </summary>
internal sealed class TerminalRawMode : IDisposable
{
    private const string Stty = "/bin/stty";
    private readonly string? _saved;

    private TerminalRawMode(string? saved) => _saved = saved;

    public static TerminalRawMode Enter()
    {
        if (Console.IsInputRedirected || !File.Exists(Stty))
        {
            return new TerminalRawMode(null);
        }
        string? saved = Run("-g")?.Trim();
        if (string.IsNullOrEmpty(saved) || Run("raw", "-echo") is null)
        {
            return new TerminalRawMode(null);
        }
        return new TerminalRawMode(saved);
    }

    public void Dispose()
    {
        if (_saved is not null)
        {
            Run(_saved);
        }
    }

    /// <summary>Runs stty on the inherited standard input; its output, or null when it failed.</summary>
    private static string? Run(params string[] args)
    {
        var start = new ProcessStartInfo(Stty) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("stty did not start");
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : null;
    }
}
