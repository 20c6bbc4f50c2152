using System.Text.Json.Nodes;

namespace Kvm.Qmp.Tests.Support;

/// <summary>One line of a recorded transcript (dir c2s, s2c or note).</summary>
internal sealed record TranscriptRecord(string Direction, string? Raw, string? Connection, string? Text)
{
    public static IReadOnlyList<TranscriptRecord> Load(string path) =>
        File.ReadLines(path)
            .Where(l => l.Length > 0)
            .Select(l => JsonNode.Parse(l)!.AsObject())
            .Select(o => new TranscriptRecord(
                o["dir"]!.GetValue<string>(),
                o["raw"]?.GetValue<string>(),
                o["conn"]?.GetValue<string>(),
                o["text"]?.GetValue<string>()))
            .ToArray();
}
