using Kvm.Vmm.Block;

namespace Kvm.Vmm.BlockStress;

/// <summary>
/// <c>kvm-block-stress IMAGE SEED [MAX-OPS]</c>: opens a qcow2 image through <see cref="BlockBackends.Open"/> and
/// changes its metadata as fast as it can until killed (or MAX-OPS requests): allocating writes scattered over the
/// disk (new L2 tables, new refcount blocks, a growing refcount table), writes that run across L2 table boundaries,
/// single-sector writes (copy-on-write from a backing file), zeroing and discards that free clusters, and now and then
/// a resize that moves the L1 table. Prints "ready" once open, then "ops N" every 16 requests.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var random = new Random(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
        long maxOps = args.Length > 2 ? long.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : long.MaxValue;
        using var disk = BlockBackends.Open(new BlockOpenOptions { Path = args[0], Format = ImageFormat.Qcow2, DiscardUnmap = true });
        ulong maxSize = disk.Size * 2;
        var buffer = new byte[256 * 1024];
        Console.Out.WriteLine("ready");
        Console.Out.Flush();
        for (long op = 1; op <= maxOps; op++)
        {
            ulong sectors = disk.Size / 512;
            int kind = random.Next(100);
            int length = kind switch
            {
                < 40 => 512 * random.Next(1, 9), // small, scattered: a new L2 table and data cluster each
                < 70 => 512 * random.Next(64, 513), // long: across clusters and L2 table boundaries
                _ => 512 * random.Next(1, 129),
            };
            ulong offset = (ulong)random.NextInt64(0, (long)(sectors - (ulong)length / 512)) * 512;
            random.NextBytes(buffer.AsSpan(0, 16));
            buffer.AsSpan(0, 16).CopyTo(buffer.AsSpan((length - 16) & ~15));
            BlockStatus status = kind switch
            {
                < 85 => disk.Write(offset, buffer.AsSpan(0, length)),
                < 92 => disk.WriteZeroes(offset, (ulong)length, mayUnmap: true),
                < 97 => disk.Discard(offset, (ulong)length),
                < 98 when disk.Size + (1 << 20) <= maxSize => disk.Resize(disk.Size + (1 << 20)),
                _ => disk.WriteZeroes(offset, (ulong)length, mayUnmap: false),
            };
            if (status != BlockStatus.Ok)
            {
                Console.Error.WriteLine($"request {op} (kind {kind}, offset {offset}, length {length}) failed: {status}");
                return 1;
            }

            if (op % 16 == 0)
            {
                Console.Out.WriteLine($"ops {op}");
                Console.Out.Flush();
            }
        }

        return 0;
    }
}
