using System.Text;
using System.Text.Json.Nodes;
using Kvm.Qmp.Protocol;

namespace Kvm.Qmp.Tests.Protocol;

public sealed class QmpInputParserTests
{
    private static List<QmpInput> Feed(QmpInputParser parser, params string[] writes)
    {
        var output = new List<QmpInput>();
        foreach (string write in writes)
        {
            parser.Append(Encoding.Latin1.GetBytes(write), output);
        }

        return output;
    }

    [Test]
    public void Append_TwoObjectsInOneWrite_YieldsBoth()
    {
        List<QmpInput> inputs = Feed(new QmpInputParser(), "{\"execute\": \"a\"}{\"execute\": \"b\"}\n");
        Assert.That(inputs.Select(i => i.Value!["execute"]!.GetValue<string>()), Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public void Append_ObjectSplitAcrossWrites_YieldsOneWhenComplete()
    {
        var parser = new QmpInputParser();
        Assert.That(Feed(parser, "{\"execute\": \"query-"), Is.Empty);
        Assert.That(Feed(parser, "name\", \"id\""), Is.Empty);
        Assert.That(parser.HasPartialMessage, Is.True);
        List<QmpInput> inputs = Feed(parser, ": \"split\"}");
        Assert.That(inputs, Has.Count.EqualTo(1));
        Assert.That(inputs[0].Value!["id"]!.GetValue<string>(), Is.EqualTo("split"));
    }

    [TestCase("{ \"execute\": }\n", "JSON parse error, expecting value")]
    [TestCase("{\"execute\": \"query-status\", \"id\": 9,,}\n", "JSON parse error, expecting value")]
    [TestCase("\u0001", "JSON parse error, stray '\u0001'")]
    [TestCase("\u00ff", "JSON parse error, stray '\uFFFD'")]
    [TestCase("{\"execute\": \"query-name\", \"id\": 1, \"id\": 2}\n", "JSON parse error, duplicate key")]
    [TestCase("{\"a\" 1}", "JSON parse error, missing : in object pair")]
    [TestCase("{\"a\": foo}", "JSON parse error, invalid keyword 'foo'")]
    [TestCase("]", "JSON parse error, expecting value")]
    public void Append_MalformedInput_ReportsQemuError(string input, string expected)
    {
        List<QmpInput> inputs = Feed(new QmpInputParser(), input);
        Assert.That(inputs, Has.Count.EqualTo(1));
        Assert.That(inputs[0].Error, Is.EqualTo(expected));
    }

    [Test]
    public void Append_ErrorThenValidObject_ParserRecovers()
    {
        List<QmpInput> inputs = Feed(new QmpInputParser(), "\u0001", "{\"execute\": \"x\"}");
        Assert.That(inputs, Has.Count.EqualTo(2));
        Assert.That(inputs[1].Value!["execute"]!.GetValue<string>(), Is.EqualTo("x"));
    }

    [Test]
    public void Append_NestingBeyondLimit_ReportsDepthErrorAndRecovers()
    {
        var parser = new QmpInputParser();
        List<QmpInput> inputs = Feed(parser, new string('[', 1025) + "\n", "{\"execute\": \"after\"}");
        Assert.That(inputs[0].Error, Is.EqualTo("JSON nesting depth limit exceeded"));
        Assert.That(inputs[1].Value!["execute"]!.GetValue<string>(), Is.EqualTo("after"));
    }

    [Test]
    public void Append_MessageBeyondSizeLimit_ReportsSizeErrorAndRecovers()
    {
        var parser = new QmpInputParser(new QmpInputLimits { MaxMessageBytes = 100 });
        List<QmpInput> inputs = Feed(parser, "{\"execute\": \"" + new string('x', 200) + "\"}\n{\"execute\": \"ok\"}");
        Assert.That(inputs[0].Error, Is.EqualTo("JSON token size limit exceeded"));
        Assert.That(inputs[^1].Value!["execute"]!.GetValue<string>(), Is.EqualTo("ok"));
    }

    [Test]
    public void Append_SingleQuotedStrings_AreAccepted()
    {
        List<QmpInput> inputs = Feed(new QmpInputParser(), "{'execute': 'query-name', 'id': 'sq'}");
        Assert.That(inputs[0].Value!["id"]!.GetValue<string>(), Is.EqualTo("sq"));
    }

    [Test]
    public void Append_ScalarAtTopLevel_YieldsScalarAfterLookahead()
    {
        var parser = new QmpInputParser();
        Assert.That(Feed(parser, "42"), Is.Empty);
        List<QmpInput> inputs = Feed(parser, "\n");
        Assert.That(inputs[0].Value!.GetValue<long>(), Is.EqualTo(42));
    }

    [Test]
    public void Append_WhitespaceOnly_YieldsNothing()
    {
        Assert.That(Feed(new QmpInputParser(), "\n\r\n   \n"), Is.Empty);
    }

    [Test]
    public void Append_RawUtf8AndEscapes_DecodeToSameString()
    {
        var parser = new QmpInputParser();
        var output = new List<QmpInput>();
        parser.Append("{\"a\": \"café\", \"b\": \"caf\\u00e9\", \"c\": \"\\ud83d\\ude00\"}"u8, output);
        JsonNode value = output[0].Value!;
        Assert.That(value["a"]!.GetValue<string>(), Is.EqualTo("café"));
        Assert.That(value["b"]!.GetValue<string>(), Is.EqualTo("café"));
        Assert.That(value["c"]!.GetValue<string>(), Is.EqualTo("\U0001F600"));
    }
}
