namespace Kvm.Vmm.Boot.Acpi;

/// <summary>
/// The few ACPI Machine Language constructs our DSDT needs, encoded as the ACPI specification's AML grammar says
/// (section 20): names, packages, buffers, scopes, devices, EISA ids and small resource descriptors.
/// </summary>
internal static class Aml
{
    private const byte NameOp = 0x08;
    private const byte BytePrefix = 0x0a;
    private const byte DWordPrefix = 0x0c;
    private const byte ScopeOp = 0x10;
    private const byte BufferOp = 0x11;
    private const byte PackageOp = 0x12;
    private const byte ExtOpPrefix = 0x5b;
    private const byte DeviceOp = 0x82;
    private const byte StringPrefix = 0x0d;
    private const byte MethodOp = 0x14;
    private const byte NotifyOp = 0x86;
    private const byte RootChar = 0x5c;
    private const byte DualNamePrefix = 0x2e;

    public static byte[] Name(string name, byte[] value) => [NameOp, .. Seg(name), .. value];

    public static byte[] Byte(byte value) => [BytePrefix, value];

    public static byte[] DWord(uint value) => [DWordPrefix, (byte)value, (byte)(value >> 8), (byte)(value >> 16), (byte)(value >> 24)];

    /// <summary>A string constant (ASCII, NUL-terminated), e.g. a _HID such as "ACPI0013".</summary>
    public static byte[] String(string value) => [StringPrefix, .. System.Text.Encoding.ASCII.GetBytes(value), 0];

    /// <summary><c>Method (name, argCount, NotSerialized) { terms }</c>.</summary>
    public static byte[] Method(string name, int argCount, params byte[][] terms)
    {
        if (argCount is < 0 or > 7)
        {
            throw new ArgumentOutOfRangeException(nameof(argCount), argCount, "an AML method takes 0 to 7 arguments");
        }

        byte[] body = [.. Seg(name), (byte)argCount, .. terms.SelectMany(t => t)];
        return [MethodOp, .. PkgLength(body.Length), .. body];
    }

    /// <summary><c>Notify (\scope.device, value)</c> for a device two levels below the root, e.g. <c>\_SB.PWRB</c>.</summary>
    public static byte[] Notify(string scope, string device, byte value) =>
        [NotifyOp, RootChar, DualNamePrefix, .. Seg(scope), .. Seg(device), .. Byte(value)];

    public static byte[] Package(params byte[][] elements)
    {
        byte[] body = [(byte)elements.Length, .. elements.SelectMany(e => e)];
        return [PackageOp, .. PkgLength(body.Length), .. body];
    }

    public static byte[] Buffer(params byte[][] parts)
    {
        byte[] data = [.. parts.SelectMany(p => p)];
        byte[] body = [.. Byte(checked((byte)data.Length)), .. data];
        return [BufferOp, .. PkgLength(body.Length), .. body];
    }

    public static byte[] Scope(string name, params byte[][] terms)
    {
        byte[] body = [.. Seg(name), .. terms.SelectMany(t => t)];
        return [ScopeOp, .. PkgLength(body.Length), .. body];
    }

    public static byte[] Device(string name, params byte[][] terms)
    {
        byte[] body = [.. Seg(name), .. terms.SelectMany(t => t)];
        return [ExtOpPrefix, DeviceOp, .. PkgLength(body.Length), .. body];
    }

    /// <summary>EisaId("PNP0501"): three compressed letters and four hex digits, as a DWord.</summary>
    public static byte[] EisaId(string id)
    {
        uint letters = (uint)(((id[0] - '@') << 10) | ((id[1] - '@') << 5) | (id[2] - '@'));
        uint product = Convert.ToUInt32(id[3..], 16);
        uint value = ((letters >> 8) & 0xff) | ((letters & 0xff) << 8) | (((product >> 8) & 0xff) << 16) | ((product & 0xff) << 24);
        return DWord(value);
    }

    /// <summary>Small I/O port descriptor: 16-bit decode, fixed base, the given length.</summary>
    public static byte[] IoPort(ushort port, byte length) =>
        [0x47, 0x01, (byte)port, (byte)(port >> 8), (byte)port, (byte)(port >> 8), 0x00, length];

    /// <summary>Small IRQ descriptor without flags (edge-triggered, active high, exclusive).</summary>
    public static byte[] Irq(int irq) => [0x22, (byte)(1 << irq), (byte)((1 << irq) >> 8)];

    /// <summary>
    /// Extended interrupt descriptor (large resource 0x09) for one GSI: resource consumer, edge-triggered, active high,
    /// exclusive (ACPI 6.4, 6.4.3.6).
    /// </summary>
    public static byte[] ExtendedInterrupt(uint gsi)
    {
        const byte consumer = 1 << 0, edge = 1 << 1;
        return [0x89, 0x06, 0x00, consumer | edge, 0x01, (byte)gsi, (byte)(gsi >> 8), (byte)(gsi >> 16), (byte)(gsi >> 24)];
    }

    public static byte[] EndTag() => [0x79, 0x00];

    // Address space descriptor flags (ACPI 6.4, 6.4.3.5): a producer whose minimum and maximum addresses are fixed.
    private const byte ProducerFixed = (1 << 2) | (1 << 3);

    /// <summary>Word bus number descriptor (6.4.3.5.3, resource type 2): the buses behind a host bridge.</summary>
    public static byte[] WordBusNumber(ushort first, ushort last) =>
        [0x88, 13, 0, 2, ProducerFixed, 0, .. U16(0), .. U16(first), .. U16(last), .. U16(0), .. U16((ushort)(last - first + 1))];

    /// <summary>Word I/O descriptor (resource type 1): a window of ports the bridge forwards (ISA and non-ISA ranges).</summary>
    public static byte[] WordIo(ushort first, ushort last) =>
        [0x88, 13, 0, 1, ProducerFixed, 3, .. U16(0), .. U16(first), .. U16(last), .. U16(0), .. U16((ushort)(last - first + 1))];

    /// <summary>DWord memory descriptor (6.4.3.5.2): a 32-bit window, read-write, non-cacheable.</summary>
    public static byte[] DWordMemory(uint first, uint length) =>
        [0x87, 23, 0, 0, ProducerFixed, 1, .. U32(0), .. U32(first), .. U32(first + length - 1), .. U32(0), .. U32(length)];

    /// <summary>QWord memory descriptor (6.4.3.5.1): a 64-bit window, read-write, cacheable and prefetchable.</summary>
    public static byte[] QWordMemory(ulong first, ulong length) =>
        [0x8a, 43, 0, 0, ProducerFixed, 1 | (3 << 1), .. U64(0), .. U64(first), .. U64(first + length - 1), .. U64(0), .. U64(length)];

    /// <summary>32-bit fixed memory range descriptor (6.4.3.4), read-write: a range a device consumes.</summary>
    public static byte[] Memory32Fixed(uint address, uint length) => [0x86, 9, 0, 1, .. U32(address), .. U32(length)];

    private static byte[] U16(ushort value) => [(byte)value, (byte)(value >> 8)];

    private static byte[] U32(uint value) => [(byte)value, (byte)(value >> 8), (byte)(value >> 16), (byte)(value >> 24)];

    private static byte[] U64(ulong value) => [.. U32((uint)value), .. U32((uint)(value >> 32))];

    /// <summary>A four-character name segment.</summary>
    private static byte[] Seg(string name) =>
        name.Length == 4 ? System.Text.Encoding.ASCII.GetBytes(name) : throw new ArgumentException($"AML name '{name}' is not 4 characters");

    /// <summary>PkgLength for a body of <paramref name="bodyLength"/> bytes (the encoding counts its own bytes).</summary>
    private static byte[] PkgLength(int bodyLength)
    {
        int length = bodyLength + 1;
        if (length < 0x40)
        {
            return [(byte)length];
        }

        length = bodyLength + 2;
        if (length < 0x1000)
        {
            return [(byte)(0x40 | (length & 0x0f)), (byte)(length >> 4)];
        }

        length = bodyLength + 3;
        return [(byte)(0x80 | (length & 0x0f)), (byte)(length >> 4), (byte)(length >> 12)];
    }
}
