using System.Text.Json.Nodes;
using Kvm.Qmp.Commands;
using Kvm.Qmp.Tests.Support;

namespace Kvm.Qmp.Tests.Schema;

/// <summary>Our query-qmp-schema against the one recorded from QEMU 7.2: every command and event we share must look the same.</summary>
public sealed class QmpSchemaInfoBuilderTests
{
    /// <summary>query-qmp-schema's SchemaInfo is a flat union in QEMU; test-only commands return {} on purpose.</summary>
    private static readonly HashSet<string> s_differentByDesign = ["query-qmp-schema", "x-block", "x-bug"];

    [Test]
    public void GetSchemaJson_SharedCommandsAndEvents_StructurallyEqualToQemu()
    {
        JsonArray qemu = JsonNode.Parse(File.ReadAllText(Path.Combine(Corpus.Directory, "qmp-schema-qemu-7.2.json")))!.AsArray();
        JsonArray ours = JsonNode.Parse(TestCommands.CreateRegistry().GetSchemaJson())!.AsArray();
        Dictionary<string, JsonObject> qemuByName = Index(qemu);
        Dictionary<string, JsonObject> oursByName = Index(ours);

        int compared = 0;
        foreach ((string name, JsonObject entry) in oursByName)
        {
            string meta = entry["meta-type"]!.GetValue<string>();
            if (meta is not ("command" or "event") || s_differentByDesign.Contains(name))
            {
                continue;
            }

            Assert.That(qemuByName.ContainsKey(name), Is.True, $"{name} exists in QEMU");
            JsonObject reference = qemuByName[name];
            // QEMU flags human-monitor-command with feature savevm-monitor-nodes; we have no savevm, so no features.
            Assert.That(entry.Select(p => p.Key), Is.EqualTo(reference.Select(p => p.Key).Where(k => k != "features")), $"{name}: member order");
            Assert.That(Normalize(oursByName, entry["arg-type"]!.GetValue<string>()), Is.EqualTo(Normalize(qemuByName, reference["arg-type"]!.GetValue<string>())), $"{name} arg-type");
            if (meta == "command")
            {
                Assert.That(Normalize(oursByName, entry["ret-type"]!.GetValue<string>()), Is.EqualTo(Normalize(qemuByName, reference["ret-type"]!.GetValue<string>())), $"{name} ret-type");
                Assert.That(entry["allow-oob"]?.GetValue<bool>() ?? false, Is.EqualTo(reference["allow-oob"]?.GetValue<bool>() ?? false), $"{name} allow-oob");
            }

            compared++;
        }

        Assert.That(compared, Is.GreaterThanOrEqualTo(20));
        Assert.That(oursByName["query-status"]["arg-type"]!.GetValue<string>(), Is.EqualTo("0"), "the empty object is masked as 0, as QEMU does");
    }

    [Test]
    public void GetSchemaJson_EveryReferencedTypeIsDefinedOnce()
    {
        JsonArray ours = JsonNode.Parse(QmpCommandRegistry.CreateDefault().GetSchemaJson())!.AsArray();
        var names = ours.Select(e => e!["name"]!.GetValue<string>()).ToList();
        Assert.That(names, Is.Unique);
        foreach (JsonNode? entry in ours)
        {
            foreach (string key in new[] { "arg-type", "ret-type", "element-type" })
            {
                if (entry![key] is JsonValue reference)
                {
                    Assert.That(names, Does.Contain(reference.GetValue<string>()), $"{entry["name"]}.{key}");
                }
            }
        }
    }

    private static Dictionary<string, JsonObject> Index(JsonArray schema) =>
        schema.Select(e => e!.AsObject()).ToDictionary(e => e["name"]!.GetValue<string>());

    /// <summary>A type written out structurally; a type met again inside itself (ImageInfo, BlockStats) is written as "self".</summary>
    private static string Normalize(Dictionary<string, JsonObject> schema, string name, HashSet<string>? open = null)
    {
        JsonObject entry = schema[name];
        open ??= [];
        string meta = entry["meta-type"]!.GetValue<string>();
        if (meta == "object" && !open.Add(name))
        {
            return "self";
        }

        string normalized = meta switch
        {
            "builtin" => name,
            "array" => "[" + Normalize(schema, entry["element-type"]!.GetValue<string>(), open) + "]",
            "enum" => "enum(" + string.Join(",", entry["values"]!.AsArray().Select(v => v!.GetValue<string>())) + ")",
            "object" => "{" + string.Join(",", entry["members"]!.AsArray().Select(m =>
                m!["name"]!.GetValue<string>() + (m.AsObject().ContainsKey("default") ? "?" : string.Empty) + ":" + Normalize(schema, m["type"]!.GetValue<string>(), open))) + "}",
            var other => other,
        };
        open.Remove(name);
        return normalized;
    }
}
