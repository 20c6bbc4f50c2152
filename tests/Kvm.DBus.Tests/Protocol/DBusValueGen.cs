using FsCheck;
using FsCheck.Fluent;
using Kvm.DBus.Protocol;

namespace Kvm.DBus.Tests.Protocol;

/// <summary>FsCheck generators of random signatures and values of them.</summary>
internal static class DBusValueGen
{
    private static readonly string[] s_basic = ["y", "b", "n", "q", "i", "u", "x", "t", "d", "s", "o", "g", "h"];
    private static readonly string[] s_stringPieces = ["", "a", "Zz", "é", "€", "𝄞", " ", "domain", "<xml/>", "\u00ff"];
    private static readonly string[] s_paths = ["/", "/org", "/org/libvirt/QEMU/domain/_1", "/a_1/B2"];
    private static readonly string[] s_signatures = ["", "s", "a{sv}", "(ii)", "aay", "v"];
    private static readonly double[] s_doubles = [0.0, -0.0, 1.5, double.NaN, double.PositiveInfinity, double.Epsilon, -1e300];

    public static Gen<string> Signature(int depth) =>
        depth <= 0
            ? Gen.Elements(s_basic).Select(s => s).Or(Gen.Constant("v"))
            : Gen.Frequency(
                (6, Gen.Elements(s_basic)),
                (1, Gen.Constant("v")),
                (2, Signature(depth - 1).Select(e => "a" + e)),
                (2, Gen.Zip(Gen.Elements(s_basic), Signature(depth - 1)).Select(t => "a{" + t.Item1 + t.Item2 + "}")),
                (2, Gen.Choose(1, 3).SelectMany(n => Gen.ArrayOf(Signature(depth - 1), n)).Select(f => "(" + string.Concat(f) + ")")));

    public static Gen<DBusValue> ValueOf(string signature, int depth)
    {
        switch (signature[0])
        {
            case 'y': return Gen.Choose(0, 255).Select(v => DBusValue.Byte((byte)v));
            case 'b': return Gen.Elements(true, false).Select(DBusValue.Bool);
            case 'n': return Gen.Choose(short.MinValue, short.MaxValue).Select(v => DBusValue.Int16((short)v));
            case 'q': return Gen.Choose(0, ushort.MaxValue).Select(v => DBusValue.UInt16((ushort)v));
            case 'i': return Gen.Choose(int.MinValue, int.MaxValue).Select(DBusValue.Int32);
            case 'u': return Gen.Choose(int.MinValue, int.MaxValue).Select(v => DBusValue.UInt32((uint)v));
            case 'x': return Gen.Zip(Gen.Choose(int.MinValue, int.MaxValue), Gen.Choose(int.MinValue, int.MaxValue)).Select(t => DBusValue.Int64(((long)t.Item1 << 32) ^ (uint)t.Item2));
            case 't': return Gen.Zip(Gen.Choose(int.MinValue, int.MaxValue), Gen.Choose(int.MinValue, int.MaxValue)).Select(t => DBusValue.UInt64(((ulong)(uint)t.Item1 << 32) | (uint)t.Item2));
            case 'd': return Gen.Elements(s_doubles).Select(DBusValue.Double);
            case 's': return Gen.ListOf(Gen.Elements(s_stringPieces)).Select(p => DBusValue.String(string.Concat(p)));
            case 'o': return Gen.Elements(s_paths).Select(DBusValue.ObjectPath);
            case 'g': return Gen.Elements(s_signatures).Select(DBusValue.SignatureValue);
            case 'h': return Gen.Choose(0, 3).Select(v => DBusValue.UnixFdIndex((uint)v));
            case 'v': return Signature(Math.Max(depth - 1, 0)).SelectMany(s => ValueOf(s, depth - 1)).Select(DBusValue.Variant);
            case 'a':
                string element = signature[1..];
                Gen<DBusValue> item = element[0] == '{'
                    ? Gen.Zip(ValueOf(element[1..2], depth - 1), ValueOf(element[2..^1], depth - 1)).Select(t => DBusValue.DictEntry(t.Item1, t.Item2))
                    : ValueOf(element, depth - 1);
                return Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(item, n)).Select(items => DBusValue.Array(element, items));
            case '(':
                string inner = signature[1..^1];
                var fields = new List<Gen<DBusValue>>();
                while (inner.Length > 0)
                {
                    int length = Kvm.DBus.Protocol.Signature.GetFirstCompleteTypeLength(System.Text.Encoding.ASCII.GetBytes(inner));
                    fields.Add(ValueOf(inner[..length], depth - 1));
                    inner = inner[length..];
                }
                return Gen.CollectToArray(fields).Select(DBusValue.Struct);
            default:
                throw new ArgumentException(signature);
        }
    }

    public static Gen<(DBusValue Value, int Shift, bool BigEndian)> Case() =>
        from sig in Signature(3)
        from value in ValueOf(sig, 3)
        from shift in Gen.Choose(0, 7)
        from big in Gen.Elements(true, false)
        select (value, shift, big);
}
