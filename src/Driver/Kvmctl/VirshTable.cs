using System.Text;

namespace Kvm.Kvmctl;

/// <summary>
/// virsh's table (vsh-table.c): each cell after one space, every column but the last padded to its widest cell plus
/// two spaces, a dashed line as wide as the columns plus three each; without the header, widths ignore it.
/// </summary>
internal sealed class VirshTable
{
    private readonly string[] _header;
    private readonly List<string[]> _rows = [];

    public VirshTable(params string[] header) => _header = header;

    public void AddRow(params string[] cells)
    {
        if (cells.Length != _header.Length)
        {
            throw new ArgumentException($"Expected {_header.Length} cells, got {cells.Length}", nameof(cells));
        }
        _rows.Add(cells);
    }

    public string Format(bool header)
    {
        int[] widths = new int[_header.Length];
        foreach (string[] row in header ? _rows.Prepend(_header) : _rows)
        {
            for (int i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }
        var text = new StringBuilder();
        if (header)
        {
            AppendRow(text, _header, widths);
            text.Append('-', widths.Sum() + 3 * widths.Length).Append('\n');
        }
        foreach (string[] row in _rows)
        {
            AppendRow(text, row, widths);
        }
        return text.ToString();
    }

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths)
    {
        for (int i = 0; i < cells.Length; i++)
        {
            text.Append(' ').Append(cells[i]);
            if (i < cells.Length - 1)
            {
                text.Append(' ', widths[i] - cells[i].Length + 2);
            }
        }
        text.Append('\n');
    }
}
