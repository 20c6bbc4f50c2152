using Kvm.DomainXml;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Tests.Domains;

public sealed class DomainTableTests
{
    [Test]
    public void CheckIdentityLocked_SameNameOtherUuid_NameTaken()
    {
        var table = TableWith("a");
        var e = Assert.Throws<DomainOperationException>(() => Check(table, "a", Guid.Empty));
        Assert.That(e!.Message, Is.EqualTo($"operation failed: domain 'a' already exists with uuid {TestDomains.UuidOf("a"):D}"));
    }

    [Test]
    public void CheckIdentityLocked_SameUuidOtherName_UuidTaken()
    {
        var table = TableWith("a");
        var e = Assert.Throws<DomainOperationException>(() => Check(table, "b", TestDomains.UuidOf("a")));
        Assert.That(e!.Message, Is.EqualTo($"operation failed: domain 'a' is already defined with uuid {TestDomains.UuidOf("a"):D}"));
    }

    [Test]
    public void CheckIdentityLocked_SameDomainOrNewOne_Passes()
    {
        var table = TableWith("a");
        Assert.That(() => Check(table, "a", TestDomains.UuidOf("a")), Throws.Nothing);
        Assert.That(() => Check(table, "b", TestDomains.UuidOf("b")), Throws.Nothing);
    }

    [Test]
    public void RemoveLocked_Entry_GoneFromEveryLookupAndSnapshotIsNull()
    {
        var table = TableWith("a");
        var entry = table.Find(TestDomains.UuidOf("a"));
        lock (table.Gate)
        {
            table.RemoveLocked(entry);
        }

        Assert.Multiple(() =>
        {
            Assert.That(table.List(), Is.Empty);
            Assert.That(table.Snapshot(entry), Is.Null);
            Assert.That(table.TryGet(entry.Uuid, out _), Is.False);
            Assert.That(() => table.LookupByName("a"), Throws.TypeOf<DomainOperationException>().With.Property("Code").EqualTo(VirErrorCode.NoDomain));
        });
    }

    [Test]
    public void RenameLocked_Entry_FoundUnderTheNewNameOnly()
    {
        var table = TableWith("a");
        var entry = table.Find(TestDomains.UuidOf("a"));
        lock (table.Gate)
        {
            table.RenameLocked(entry, "b");
        }

        Assert.That(table.LookupByName("b").Uuid, Is.EqualTo(entry.Uuid));
        Assert.That(() => table.LookupByName("a"), Throws.TypeOf<DomainOperationException>());
    }

    [Test]
    public void NextIdLocked_AfterObservingAReattachedId_CountsOnFromIt()
    {
        var table = new DomainTable();
        lock (table.Gate)
        {
            Assert.That(table.NextIdLocked(), Is.EqualTo(1));
            table.ObserveIdLocked(7);
            table.ObserveIdLocked(3);
            Assert.That(table.NextIdLocked(), Is.EqualTo(8));
        }
    }

    [Test]
    public void List_SeveralDomains_SortedByNameWithLookupById()
    {
        var table = TableWith("c", "a", "b");
        var b = table.Find(TestDomains.UuidOf("b"));
        lock (table.Gate)
        {
            b.Id = 4;
            b.State = DomainState.Running;
        }

        Assert.That(table.List().Select(i => i.Name), Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That(table.LookupById(4).Name, Is.EqualTo("b"));
        Assert.That(() => table.LookupById(-1), Throws.TypeOf<DomainOperationException>().With.Message.EqualTo("Domain not found: no domain with matching id -1"));
    }

    private static void Check(DomainTable table, string name, Guid uuid)
    {
        lock (table.Gate)
        {
            table.CheckIdentityLocked(name, uuid);
        }
    }

    private static DomainTable TableWith(params string[] names)
    {
        var table = new DomainTable();
        lock (table.Gate)
        {
            foreach (string name in names)
            {
                var document = DomainXmlParser.Parse(TestDomains.Xml(name), null, DomainParseFlags.Inactive);
                table.AddLocked(new DomainEntry(document.Definition.Uuid, name) { Persistent = document });
            }
        }

        return table;
    }
}
