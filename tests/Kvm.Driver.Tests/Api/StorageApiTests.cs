using Kvm.Driver.Api;
using Kvm.Driver.Pools;
using Kvm.Driver.Tests.Domains;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Tests.Api;

/// <summary>
/// org.libvirt.StoragePool and StorageVol at libvirt-dbus's paths, on a real dbus-daemon, served by kvmd's D-Bus front
/// end over the real driver core (<see cref="StoragePoolManager"/> on a temporary state directory, real directories).
/// </summary>
[TestFixture]
[Category("DBusDaemon")]
[CancelAfter(60_000)]
public sealed class StorageApiTests
{
    private const string Connect = "org.libvirt.Connect";
    private const string Pool = "org.libvirt.StoragePool";
    private const string Vol = "org.libvirt.StorageVol";
    private const string Properties = "org.freedesktop.DBus.Properties";
    private PrivateBus _bus = null!;
    private ManagerFixture _f = null!;
    private KvmdApiService _service = null!;
    private DBusConnection _client = null!;

    private string Images => Path.Combine(_f.Root, "images");

    [OneTimeSetUp]
    public void StartBus() => _bus = PrivateBus.Start();

    [OneTimeTearDown]
    public void StopBus() => _bus?.Dispose();

    [SetUp]
    public async Task SetUp()
    {
        _f = new ManagerFixture();
        await _f.Manager.InitializeAsync(CancellationToken.None);
        var pools = new StoragePoolManager(_f.Options.StateDirectory);
        pools.Load();
        _service = await KvmdApiService.StartAsync(_f.Manager, _bus.Address, new KvmdApiOptions { EmulatorPath = _f.Options.VmmPath },
            CancellationToken.None, pools);
        _client = await BusClient.ConnectAsync(_bus.Address);
    }

    [TearDown]
    public async Task TearDown()
    {
        _client?.Dispose();
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
        if (_f is not null)
        {
            await _f.DisposeAsync();
        }
    }

    [Test]
    public async Task PoolLifecycle_DefineBuildCreateVolumeDestroyUndefine_AsLibvirtDBusClientsSeeIt()
    {
        string pool = await CallAsync(LibvirtPaths.Connect, Connect, "StoragePoolDefineXML",
            [Arg.String($"<pool type='dir'><name>default</name><uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid><target><path>{Images}</path></target></pool>"), Arg.UInt32(0)], ReadPath);
        Assert.That(pool, Is.EqualTo("/org/libvirt/QEMU/storagepool/_dfe224cb_28fb_8dd0_c4b2_64eb3f0f4566"));
        Assert.That(await CallAsync(LibvirtPaths.Connect, Connect, "ListStoragePools", [Arg.UInt32(0)], ReadPaths), Is.EqualTo(new[] { pool }));
        Assert.That(await CallAsync(LibvirtPaths.Connect, Connect, "StoragePoolLookupByName", [Arg.String("default")], ReadPath), Is.EqualTo(pool));
        Assert.That(await GetAsync(pool, Pool, "Active"), Is.EqualTo("False"));

        await CallAsync(pool, Pool, "Build", [Arg.UInt32(0)], ReadNothing);
        Assert.That(Directory.Exists(Images), Is.True);
        await CallAsync(pool, Pool, "Create", [Arg.UInt32(0)], ReadNothing);
        Assert.That(await GetAsync(pool, Pool, "Active"), Is.EqualTo("True"));
        (int state, ulong capacity) = await CallAsync(pool, Pool, "GetInfo", [], static (Message m, object? _) =>
        {
            Reader r = m.GetBodyReader();
            r.AlignStruct();
            return (r.ReadInt32(), r.ReadUInt64());
        });
        Assert.That((state, capacity > 0), Is.EqualTo((2, true)));
        Assert.That(await CallAsync(pool, Pool, "GetXMLDesc", [Arg.UInt32(0)], ReadString), Does.Contain($"<path>{Images}</path>"));

        string vol = await CallAsync(pool, Pool, "StorageVolCreateXML", [Arg.String("<volume><name>sparse.img</name><capacity unit='M'>8</capacity></volume>"), Arg.UInt32(0)], ReadPath);
        string file = Path.Combine(Images, "sparse.img");
        Assert.That(vol, Is.EqualTo(LibvirtPaths.StorageVolRoot + "/" + LibvirtPaths.EncodeString(file)));
        Assert.That(new FileInfo(file).Length, Is.EqualTo(8L << 20));
        Assert.That(await GetAsync(vol, Vol, "Path"), Is.EqualTo(file));
        Assert.That(await GetAsync(vol, Vol, "Key"), Is.EqualTo(file));
        Assert.That(await CallAsync(pool, Pool, "ListStorageVolumes", [Arg.UInt32(0)], ReadPaths), Is.EqualTo(new[] { vol }));
        Assert.That(await CallAsync(LibvirtPaths.Connect, Connect, "StorageVolLookupByPath", [Arg.String(file)], ReadPath), Is.EqualTo(vol));
        Assert.That(await CallAsync(vol, Vol, "GetXMLDesc", [Arg.UInt32(0)], ReadString), Does.Contain("<capacity unit='bytes'>8388608</capacity>"));
        await CallAsync(vol, Vol, "Delete", [Arg.UInt32(0)], ReadNothing);
        Assert.That(File.Exists(file), Is.False);

        await CallAsync(pool, Pool, "Destroy", [], ReadNothing);
        await CallAsync(pool, Pool, "Undefine", [], ReadNothing);
        Assert.That(await CallAsync(LibvirtPaths.Connect, Connect, "ListStoragePools", [Arg.UInt32(0)], ReadPaths), Is.Empty);
    }

    [Test]
    public async Task StorageVolCreateXML_NameLeavingThePool_LibvirtsErrorNothingCreated()
    {
        string pool = await StartedPoolAsync();
        Assert.That(async () => await CallAsync(pool, Pool, "StorageVolCreateXML",
            [Arg.String("<volume><name>../x.img</name><capacity>1024</capacity></volume>"), Arg.UInt32(0)], ReadPath),
            Throws.TypeOf<DBusErrorReplyException>().With.Property(nameof(DBusErrorReplyException.ErrorMessage))
                .EqualTo("Requested operation is not valid: volume name '../x.img' cannot contain '/'"));
        Assert.That(File.Exists(Path.Combine(_f.Root, "x.img")), Is.False);
    }

    [Test]
    public async Task Autostart_Set_ReadBackAndPersisted()
    {
        string pool = await StartedPoolAsync();
        MessageBuffer set;
        using (MessageWriter writer = _client.GetMessageWriter())
        {
            writer.WriteMethodCallHeader("org.libvirt", pool, Properties, "Set", "ssv");
            writer.WriteString(Pool);
            writer.WriteString("Autostart");
            writer.WriteVariantBool(true);
            set = writer.CreateMessage();
        }
        await _client.CallMethodAsync(set);
        Assert.That(await GetAsync(pool, Pool, "Autostart"), Is.EqualTo("True"));
        Assert.That(File.Exists(Path.Combine(_f.Options.StateDirectory, "storage", "autostart", "p")), Is.True);
    }

    [Test]
    public void Call_UnknownPoolAndUnimplementedMember_LibvirtsErrors()
    {
        string missing = "/org/libvirt/QEMU/storagepool/_dfe224cb_28fb_8dd0_c4b2_64eb3f0f4560";
        Assert.That(async () => await CallAsync(missing, Pool, "GetXMLDesc", [Arg.UInt32(0)], ReadString),
            Throws.TypeOf<DBusErrorReplyException>().With.Property(nameof(DBusErrorReplyException.ErrorMessage))
                .EqualTo("Storage pool not found: no storage pool with matching uuid 'dfe224cb-28fb-8dd0-c4b2-64eb3f0f4560'"));
    }

    [Test]
    public async Task ResizeCloneWipe_RawVolume_FileGrowsCopiedAndZeroed()
    {
        string pool = await StartedPoolAsync();
        string vol = await CallAsync(pool, Pool, "StorageVolCreateXML", [Arg.String("<volume><name>a.img</name><capacity>1024</capacity></volume>"), Arg.UInt32(0)], ReadPath);
        string file = Path.Combine(Images, "a.img");
        await CallAsync(vol, Vol, "Resize", [Arg.UInt64(4096), Arg.UInt32(0)], ReadNothing);
        Assert.That(new FileInfo(file).Length, Is.EqualTo(4096));
        Assert.That(async () => await CallAsync(vol, Vol, "Resize", [Arg.UInt64(2048), Arg.UInt32(0)], ReadNothing),
            Throws.TypeOf<DBusErrorReplyException>().With.Property(nameof(DBusErrorReplyException.ErrorMessage))
                .EqualTo("invalid argument: Can't shrink capacity below current capacity unless shrink flag explicitly specified"));

        File.WriteAllBytes(file, Enumerable.Repeat((byte)0xA5, 4096).ToArray());
        string copy = await CallAsync(pool, Pool, "StorageVolCreateXMLFrom",
            [Arg.String("<volume><name>b.img</name><capacity>8192</capacity></volume>"), Arg.String(file), Arg.UInt32(0)], ReadPath);
        byte[] copied = File.ReadAllBytes(Path.Combine(Images, "b.img"));
        Assert.That((copied.Length, copied[..4096].All(b => b == 0xA5), copied[4096..].All(b => b == 0)), Is.EqualTo((8192, true, true)));

        await CallAsync(vol, Vol, "Wipe", [Arg.UInt32(0), Arg.UInt32(0)], ReadNothing);
        byte[] wiped = File.ReadAllBytes(file);
        Assert.That((wiped.Length, wiped.All(b => b == 0)), Is.EqualTo((4096, true)));
        Assert.That(copy, Does.StartWith("/org/libvirt/QEMU/storagevol/"));
    }

    public static readonly string[] SuiteTests =
    [
        "test_connect_list_storage_pools", "test_connect_storage_pool_create_xml", "test_connect_storage_pool_define_xml",
        "test_storage_pool_create", "test_storage_pool_destroy", "test_storage_pool_undefine", "test_storage_pool_get_info",
        "test_storage_pool_properties_type", "test_storage_pool_refresh", "test_storage_vol_properties_type",
    ];

    /// <summary>libvirt-dbus's upstream storage tests (libvirt_dbus_suite.py), with one active pool as the test driver has.</summary>
    [TestCaseSource(nameof(SuiteTests))]
    public async Task Suite_AgainstKvmd_Passes(string test)
    {
        ExternalTool.RequirePythonDBus();
        await StartedPoolAsync();
        string newPool = Path.Combine(_f.Root, "test-pool");
        Directory.CreateDirectory(newPool);
        RunSuite(_bus.Address, LibvirtPaths.Connect, test, newPool);
    }

    [TestCaseSource(nameof(SuiteTests))]
    public async Task Suite_AgainstReferencePeer_Passes(string test)
    {
        ExternalTool.RequirePythonDBus();
        ReferencePeer.Require();
        using PrivateBus peerBus = PrivateBus.Start();
        await using ReferencePeer peer = await ReferencePeer.StartAsync(peerBus.Address);
        RunSuite(peerBus.Address, ReferencePeer.ConnectPath, test, "/foo");
    }

    private static void RunSuite(string busAddress, string connectPath, string test, string poolDirectory)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "Api", "libvirt_dbus_suite.py");
        (int exit, string stdout, string stderr) = ExternalTool.Run(null, ExternalTool.Python, script, busAddress, connectPath, test, poolDirectory);
        Assert.That(exit, Is.EqualTo(0), $"{test} failed:\n{stdout}\n{stderr}");
        Assert.That(stdout.Trim(), Is.EqualTo("ok"));
    }

    private async Task<string> StartedPoolAsync()
    {
        string pool = await CallAsync(LibvirtPaths.Connect, Connect, "StoragePoolDefineXML",
            [Arg.String($"<pool type='dir'><name>p</name><target><path>{Images}</path></target></pool>"), Arg.UInt32(0)], ReadPath);
        await CallAsync(pool, Pool, "Build", [Arg.UInt32(0)], ReadNothing);
        await CallAsync(pool, Pool, "Create", [Arg.UInt32(0)], ReadNothing);
        return pool;
    }

    private Task<string> GetAsync(string path, string iface, string name) =>
        CallAsync(path, Properties, "Get", [Arg.String(iface), Arg.String(name)], static (Message m, object? _) =>
        {
            VariantValue v = m.GetBodyReader().ReadVariantValue();
            return v.Type == VariantValueType.Bool ? v.GetBool().ToString() : v.GetString();
        });

    private static string ReadPath(Message m, object? _) => m.GetBodyReader().ReadObjectPathAsString();

    private static string[] ReadPaths(Message m, object? _) => m.GetBodyReader().ReadArrayOfObjectPath().Select(p => p.ToString()).ToArray();

    private static string ReadString(Message m, object? _) => m.GetBodyReader().ReadString();

    private static bool ReadNothing(Message m, object? _) => true;

    private Task<T> CallAsync<T>(string path, string iface, string member, Arg[] args, MessageValueReader<T> reader)
    {
        string signature = string.Concat(args.Select(a => a.Signature));
        MessageBuffer call;
        MessageWriter writer = _client.GetMessageWriter();
        try
        {
            writer.WriteMethodCallHeader("org.libvirt", path, iface, member, signature.Length == 0 ? null : signature);
            foreach (Arg arg in args)
            {
                arg.WriteTo(ref writer);
            }
            call = writer.CreateMessage();
        }
        finally
        {
            writer.Dispose();
        }
        return _client.CallMethodAsync(call, reader);
    }
}
