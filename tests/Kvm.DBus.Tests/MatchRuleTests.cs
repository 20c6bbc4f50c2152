namespace Kvm.DBus.Tests;

[TestFixture]
public sealed class MatchRuleTests
{
    [Test]
    public void ToString_QuotesAndEscapes()
    {
        var rule = new MatchRule { Sender = "org.freedesktop.DBus", Interface = "org.x.Y", Member = "Changed", Path = "/a", Arg0 = "it's" };
        Assert.That(rule.ToString(), Is.EqualTo("type='signal',sender='org.freedesktop.DBus',interface='org.x.Y',member='Changed',path='/a',arg0='it'\\''s'"));
    }
}
