namespace Kvm.Kvmctl;

/// <summary>
/// Where a verb prints, the way virsh does: results on stdout (<c>vshPrint</c>), informational messages that
/// <c>--quiet</c> drops (<c>vshPrintExtra</c>), "error: " lines on stderr, and the empty line after each command.
/// </summary>
internal sealed class VirshOutput
{
    private readonly TextWriter _out;
    private readonly TextWriter _error;

    public VirshOutput(TextWriter output, TextWriter error, bool quiet)
    {
        _out = output;
        _error = error;
        Quiet = quiet;
    }

    public bool Quiet { get; }

    public void Print(string text) => _out.Write(text);

    public void PrintExtra(string text)
    {
        if (!Quiet)
        {
            _out.Write(text);
        }
    }

    public void Error(string message) => _error.Write("error: " + message + "\n");

    /// <summary>virsh's vshCommandRun ends every command, failed or not, with an empty line unless quiet.</summary>
    public void EndCommand()
    {
        PrintExtra("\n");
        _out.Flush();
        _error.Flush();
    }
}
