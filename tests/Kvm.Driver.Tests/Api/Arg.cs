using Tmds.DBus.Protocol;

namespace Kvm.Driver.Tests.Api;

/// <summary>One argument of a probe call: its signature and how Tmds's <see cref="MessageWriter"/> writes it.</summary>
public sealed class Arg
{
    internal delegate void Writer(ref MessageWriter writer);

    private readonly Writer _write;

    private Arg(string signature, string text, Writer write)
    {
        Signature = signature;
        Text = text;
        _write = write;
    }

    public string Signature { get; }

    public string Text { get; }

    public static Arg String(string value) => new("s", $"\"{value}\"", (ref MessageWriter w) => w.WriteString(value));

    public static Arg UInt32(uint value) => new("u", $"{value}u", (ref MessageWriter w) => w.WriteUInt32(value));

    public static Arg UInt64(ulong value) => new("t", $"{value}t", (ref MessageWriter w) => w.WriteUInt64(value));

    public static Arg Int32(int value) => new("i", $"{value}", (ref MessageWriter w) => w.WriteInt32(value));

    /// <summary>A string in a variant (what Properties.Set takes).</summary>
    public static Arg VariantString(string value) => new("v", $"<\"{value}\">", (ref MessageWriter w) => w.WriteVariantString(value));

    internal void WriteTo(ref MessageWriter writer) => _write(ref writer);

    public override string ToString() => Text;
}
