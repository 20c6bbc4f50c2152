using Kvm.Driver.Vmm;

namespace Kvm.Driver.Domains;

/// <summary>
/// Pairs a command kvmd sent (stop, cont) with the QMP event the VMM sends for it (STOP, RESUME), which reaches kvmd's
/// event loop on its own schedule: possibly after the command's reply, after kvmd has already applied the command's
/// effect, even after the next command. An echo is applied where it lands first and ignored where it lands second, so
/// a late STOP never pauses a domain that a later cont resumed. Guarded by <see cref="DomainTable.Gate"/>.
/// </summary>
internal sealed class CommandEchoes
{
    private readonly int[] _awaited = new int[Enum.GetValues<VmmEventKind>().Length];
    private readonly int[] _toIgnore = new int[Enum.GetValues<VmmEventKind>().Length];

    /// <summary>A command whose event is <paramref name="kind"/> is about to be sent.</summary>
    public void Expect(VmmEventKind kind) => _awaited[(int)kind]++;

    /// <summary>The command failed: no event will come for it.</summary>
    public void Cancel(VmmEventKind kind) => _awaited[(int)kind] = Math.Max(0, _awaited[(int)kind] - 1);

    /// <summary>
    /// The command returned. True when its event has not come yet: the caller applies the command's effect now and the
    /// event, when it comes, is ignored. False when the event loop applied it already.
    /// </summary>
    public bool Returned(VmmEventKind kind)
    {
        if (_awaited[(int)kind] == 0)
        {
            return false;
        }

        _awaited[(int)kind]--;
        _toIgnore[(int)kind]++;
        return true;
    }

    /// <summary>An event came from the VMM: true when it is the echo of a command whose effect was applied already.</summary>
    public bool Arrived(VmmEventKind kind)
    {
        if (_toIgnore[(int)kind] > 0)
        {
            _toIgnore[(int)kind]--;
            return true;
        }

        if (_awaited[(int)kind] > 0)
        {
            _awaited[(int)kind]--; // the echo came before the reply: applied here, not again by the command
        }

        return false;
    }

    /// <summary>A new VMM: nothing is pending from the old one.</summary>
    public void Clear()
    {
        Array.Clear(_awaited);
        Array.Clear(_toIgnore);
    }
}
