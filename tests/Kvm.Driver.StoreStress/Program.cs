using Kvm.Driver.Storage;

namespace Kvm.Driver.StoreStress;

/// <summary><c>kvm-store-stress DIR</c>: defines vm0..vm3 over and over, each time with other content, until killed.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var store = new DomainStore(args[0]);
        string padding = new('x', 64 * 1024);
        Console.Out.WriteLine("ready");
        Console.Out.Flush();
        for (long i = 0; ; i++)
        {
            string name = "vm" + (i % 4);
            store.Save(name, $"""
                <domain type='kvm'>
                  <name>{name}</name>
                  <uuid>{new Guid((int)(i % 4), 0, 0, new byte[8]):D}</uuid>
                  <description>write {i} {padding}</description>
                  <memory unit='KiB'>131072</memory>
                  <os><type arch='x86_64'>hvm</type><kernel>/boot/vmlinuz</kernel></os>
                </domain>
                """);
        }
    }
}
