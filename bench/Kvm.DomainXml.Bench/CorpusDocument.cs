namespace Kvm.DomainXml.Bench;

/// <summary>One corpus input held in memory: its name, its text and its size in UTF-8 bytes.</summary>
internal sealed record CorpusDocument(string Name, string Text, int Utf8Bytes);
