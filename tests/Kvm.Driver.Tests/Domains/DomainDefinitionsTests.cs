using System.Collections.Concurrent;
using Kvm.Driver.Domains;
using Kvm.Driver.Runtime;
using Kvm.Driver.Storage;

namespace Kvm.Driver.Tests.Domains;

/// <summary>The definitions store alone: real files in a temporary state directory, no VMM.</summary>
[CancelAfter(30_000)]
public sealed partial class DomainDefinitionsTests
{
    private string _root = null!;
    private DomainTable _table = null!;
    private DomainEvents _events = null!;
    private ConcurrentQueue<string> _received = null!;
    private DomainDefinitions _definitions = null!;

    private string StateDirectory => Path.Combine(_root, "state");

    private string[] StateFiles() => Directory.Exists(StateDirectory) ? Directory.GetFiles(StateDirectory) : [];

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("kvmd-defs-").FullName;
        _definitions = NewDefinitions();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _events.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Test]
    public async Task Define_New_FileWrittenEntryAddedAndDefinedAdded()
    {
        var info = _definitions.Define(TestDomains.Xml("a"));
        Assert.That((info.Name, info.Persistent, info.Active), Is.EqualTo(("a", true, false)));
        Assert.That(File.ReadAllText(Path.Combine(StateDirectory, "a.xml")), Does.Contain("<name>a</name>"));
        Assert.That(await EventsAsync(), Is.EqualTo(new[] { "a 0/0" }));
    }

    [Test]
    public async Task Define_Again_DefinedUpdatedAndStillOneFile()
    {
        _definitions.Define(TestDomains.Xml("a"));
        _definitions.Define(TestDomains.Xml("a", extra: "<title>t</title>"));
        Assert.That(Directory.GetFiles(StateDirectory).Select(Path.GetFileName), Is.EqualTo(new[] { "a.xml" }));
        Assert.That(await EventsAsync(), Is.EqualTo(new[] { "a 0/0", "a 0/1" }));
    }

    [Test]
    public async Task Load_StateDirectoryOfAnEarlierStore_DomainsAndAutostartBack()
    {
        _definitions.Define(TestDomains.Xml("b"));
        _definitions.Define(TestDomains.Xml("a"));
        _definitions.SetAutostart(TestDomains.UuidOf("b"), true);
        await _events.DisposeAsync();

        var reloaded = NewDefinitions();
        reloaded.Load();
        Assert.That(_table.List().Select(i => (i.Name, i.Autostart)), Is.EqualTo(new[] { ("a", false), ("b", true) }));
        Assert.That(reloaded.InactiveAutostart(), Is.EqualTo(new[] { (TestDomains.UuidOf("b"), "b") }));
        Assert.That(await EventsAsync(), Is.Empty, "loading is not defining");
    }

    [Test]
    public void Load_TwoFilesWithOneUuid_TheFirstByNameWinsTheOtherIsLeftInPlace()
    {
        Directory.CreateDirectory(StateDirectory);
        File.WriteAllText(Path.Combine(StateDirectory, "a.xml"), TestDomains.Xml("a"));
        File.WriteAllText(Path.Combine(StateDirectory, "b.xml"), TestDomains.Xml("b", TestDomains.UuidOf("a")));
        _definitions.Load();
        Assert.That(_table.List().Select(i => i.Name), Is.EqualTo(new[] { "a" }));
        Assert.That(File.Exists(Path.Combine(StateDirectory, "b.xml")), Is.True);
    }

    [Test]
    public async Task Undefine_Inactive_FilesGoneEntryRemovedUndefinedRemoved()
    {
        var info = _definitions.Define(TestDomains.Xml("a"));
        _definitions.SetAutostart(info.Uuid, true);
        _definitions.Undefine(info.Uuid, 0);
        Assert.That(Directory.GetFiles(StateDirectory, "*", SearchOption.AllDirectories), Is.Empty);
        Assert.That(_table.TryGet(info.Uuid, out _), Is.False);
        Assert.That(await EventsAsync(), Is.EqualTo(new[] { "a 0/0", "a 1/0" }));
    }

    [Test]
    public void Undefine_Running_BecomesTransientAndStays()
    {
        var info = _definitions.Define(TestDomains.Xml("a"));
        MarkRunning(info.Uuid);
        _definitions.Undefine(info.Uuid, 0);
        Assert.That(_table.LookupByUuid(info.Uuid).Persistent, Is.False);
        Assert.That(() => _definitions.Undefine(info.Uuid, 0), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("Requested operation is not valid: cannot undefine transient domain"));
    }

    [Test]
    public async Task Rename_WithAutostart_DefinitionAndMarkerMovedWithRenamedEvents()
    {
        var info = _definitions.Define(TestDomains.Xml("a"));
        _definitions.SetAutostart(info.Uuid, true);
        _definitions.Rename(info.Uuid, "b");
        Assert.That(Directory.GetFiles(StateDirectory).Select(Path.GetFileName), Is.EqualTo(new[] { "b.xml" }));
        Assert.That(File.ReadAllText(Path.Combine(StateDirectory, "b.xml")), Does.Contain("<name>b</name>"));
        Assert.That(Directory.GetFileSystemEntries(Path.Combine(StateDirectory, "autostart")).Select(Path.GetFileName), Is.EqualTo(new[] { "b.xml" }));
        Assert.That(_table.LookupByName("b").Uuid, Is.EqualTo(info.Uuid));
        Assert.That(await EventsAsync(), Is.EqualTo(new[] { "a 0/0", "a 1/1", "a 0/2" }));
    }

    [TestCase("a&#10;b", "invalid char in name: 0x0a")]
    [TestCase("a&#13;b", "invalid char in name: 0x0d")]
    [TestCase("a&#9;b", "invalid char in name: 0x09")]
    [TestCase("a&#x202E;b", "invalid char in name: U+202E")]
    public void Define_NameWithControlCharacter_RefusedAndNothingStored(string escapedName, string message)
    {
        string xml = TestDomains.Xml("PLACEHOLDER").Replace("PLACEHOLDER", escapedName, StringComparison.Ordinal);
        var e = Assert.Throws<DomainOperationException>(() => _definitions.Define(xml));
        Assert.That((e!.Code, e.Message), Is.EqualTo((VirErrorCode.XmlDetail, message)));
        Assert.That(StateFiles(), Is.Empty);
        Assert.That(_table.List(), Is.Empty);
    }

    [Test]
    public void Define_NameTooLongForItsFiles_ClearErrorNotAPathException()
    {
        string name = new('n', 300);
        var e = Assert.Throws<DomainOperationException>(() => _definitions.Define(TestDomains.Xml(name)));
        Assert.That((e!.Code, e.Message), Is.EqualTo((VirErrorCode.XmlError,
            "XML error: domain name is 300 bytes long, more than the 247 bytes that fit in its file names")));
        Assert.That(StateFiles(), Is.Empty);
    }

    [Test]
    public void Define_LongestNameThatFits_Stored()
    {
        string name = new('n', 247);
        _definitions.Define(TestDomains.Xml(name));
        Assert.That(File.Exists(Path.Combine(StateDirectory, name + ".xml")), Is.True);
    }

    [TestCase("a\nb", "invalid char in name: 0x0a")]
    [TestCase("x\u202Ey", "invalid char in name: U+202E")]
    public void Rename_ToNameWithControlCharacter_RefusedAndOldNameKept(string escaped, string message)
    {
        string newName = System.Text.RegularExpressions.Regex.Unescape(escaped);
        var info = _definitions.Define(TestDomains.Xml("a"));
        var e = Assert.Throws<DomainOperationException>(() => _definitions.Rename(info.Uuid, newName));
        Assert.That((e!.Code, e.Message), Is.EqualTo((VirErrorCode.XmlDetail, message)));
        Assert.That(Directory.GetFiles(StateDirectory).Select(Path.GetFileName), Is.EqualTo(new[] { "a.xml" }));
        Assert.That(_table.LookupByUuid(info.Uuid).Name, Is.EqualTo("a"));
    }

    [Test]
    public void Rename_ToNameTooLong_ClearErrorAndOldNameKept()
    {
        var info = _definitions.Define(TestDomains.Xml("a"));
        Assert.That(() => _definitions.Rename(info.Uuid, new string('r', 400)), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("XML error: domain name is 400 bytes long, more than the 247 bytes that fit in its file names"));
        Assert.That(Directory.GetFiles(StateDirectory).Select(Path.GetFileName), Is.EqualTo(new[] { "a.xml" }));
    }

    [Test]
    public void Rename_WhileAJobHoldsTheDomain_StateChangeLockTimeout()
    {
        var info = _definitions.Define(TestDomains.Xml("a"));
        var entry = _table.Find(info.Uuid);
        entry.Job.Wait();
        try
        {
            var e = Assert.Throws<DomainOperationException>(() => _definitions.Rename(info.Uuid, "b"));
            Assert.That((e!.Code, e.Message), Is.EqualTo((VirErrorCode.OperationTimeout, "Timed out during operation: cannot acquire state change lock (held by another job)")));
        }
        finally
        {
            entry.Job.Release();
        }

        Assert.That(File.Exists(Path.Combine(StateDirectory, "a.xml")), Is.True);
    }

    [Test]
    public void SetMetadata_TitleOfInactive_SavedInTheStateDirectoryAndReadBack()
    {
        var info = _definitions.Define(TestDomains.Xml("a"));
        _definitions.SetMetadata(info.Uuid, 1, "A title", null, null, 0);
        Assert.That(_definitions.GetMetadata(info.Uuid, 1, null, 0), Is.EqualTo("A title"));
        Assert.That(File.ReadAllText(Path.Combine(StateDirectory, "a.xml")), Does.Contain("<title>A title</title>"));
    }

    [Test]
    public void SetMetadata_LiveOfInactive_NotRunning()
    {
        var info = _definitions.Define(TestDomains.Xml("a"));
        Assert.That(() => _definitions.SetMetadata(info.Uuid, 0, "d", null, null, 1), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("Requested operation is not valid: domain is not running"));
    }

    [Test]
    public void AdmitForCreate_NewTransient_JoinsTheTableAndBeginsUnderTheGate()
    {
        var document = DomainDefinitions.ParseNew(TestDomains.Xml("t"));
        var entry = new DomainEntry(document.Definition.Uuid, "t");
        bool begun = _definitions.AdmitForCreate(document, entry, null, e =>
        {
            e.Live = document; // what the lifecycle's start does next
            return _table.Gate.IsHeldByCurrentThread && ReferenceEquals(e, entry);
        });
        Assert.That(begun, Is.True);
        Assert.That(_table.LookupByName("t").Persistent, Is.False);
        Assert.That(Directory.Exists(StateDirectory) ? Directory.GetFiles(StateDirectory) : [], Is.Empty, "a transient domain has no file");
    }

    [Test]
    public void AdmitForCreate_OverARunningDefinedDomain_AlreadyActive()
    {
        var info = _definitions.Define(TestDomains.Xml("a"));
        MarkRunning(info.Uuid);
        var document = DomainDefinitions.ParseNew(TestDomains.Xml("a"));
        var existing = _table.Find(info.Uuid);
        Assert.That(() => _definitions.AdmitForCreate(document, existing, existing, _ => 0), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("Requested operation is not valid: domain 'a' is already active"));
    }

    private DomainDefinitions NewDefinitions()
    {
        _table = new DomainTable();
        _events = new DomainEvents();
        _received = new ConcurrentQueue<string>();
        var received = _received;
        _events.LifecycleEvent += e => received.Enqueue($"{NameOf(e.Uuid)} {(int)e.Event}/{e.Detail}");
        return new DomainDefinitions(new DomainStore(StateDirectory), _table, _events, new RuntimeDirectory(Path.Combine(_root, "run")));
    }

    private static string NameOf(Guid uuid) => uuid == TestDomains.UuidOf("a") ? "a" : uuid == TestDomains.UuidOf("b") ? "b" : uuid.ToString("D");

    private void MarkRunning(Guid uuid)
    {
        var entry = _table.Find(uuid);
        lock (_table.Gate)
        {
            entry.State = DomainState.Running;
            entry.Reason = DomainStateReason.RunningBooted;
            entry.Id = 1;
            entry.Live = entry.Persistent;
        }
    }

    /// <summary>The events raised so far, once delivered (the dispatcher is drained and replaced).</summary>
    private async Task<string[]> EventsAsync()
    {
        await _events.DisposeAsync();
        string[] received = [.. _received];
        return received;
    }
}
