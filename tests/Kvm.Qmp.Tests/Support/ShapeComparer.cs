using System.Text.Json;
using System.Text.Json.Nodes;

namespace Kvm.Qmp.Tests.Support;

/// <summary>
/// Compares a reply of ours with QEMU's: same members in the same order, same JSON kinds, equal values
/// except under timestamp (wall clock); arrays listed in <c>shapeOnlyArrays</c> compare their first element's shape.
/// </summary>
internal static class ShapeComparer
{
    public static void AssertSameShape(JsonNode? expected, JsonNode? actual, string path = "$", bool valuesMayDiffer = false, bool arrayShapeOnly = false)
    {
        JsonValueKind expectedKind = expected?.GetValueKind() ?? JsonValueKind.Null;
        JsonValueKind actualKind = actual?.GetValueKind() ?? JsonValueKind.Null;
        bool bothBool = expectedKind is JsonValueKind.True or JsonValueKind.False && actualKind is JsonValueKind.True or JsonValueKind.False;
        Assert.That(bothBool || expectedKind == actualKind, Is.True, $"{path}: expected {expectedKind}, got {actualKind}");
        switch (expected)
        {
            case JsonObject expectedObject:
                JsonObject actualObject = actual!.AsObject();
                Assert.That(actualObject.Select(p => p.Key), Is.EqualTo(expectedObject.Select(p => p.Key)), $"{path}: members");
                foreach (KeyValuePair<string, JsonNode?> member in expectedObject)
                {
                    AssertSameShape(member.Value, actualObject[member.Key], $"{path}.{member.Key}", valuesMayDiffer || member.Key == "timestamp", arrayShapeOnly);
                }

                break;
            case JsonArray expectedArray:
                JsonArray actualArray = actual!.AsArray();
                if (arrayShapeOnly)
                {
                    if (expectedArray.Count > 0 && actualArray.Count > 0)
                    {
                        AssertSameShape(expectedArray[0], actualArray[0], path + "[0]", valuesMayDiffer: true);
                    }

                    break;
                }

                Assert.That(actualArray, Has.Count.EqualTo(expectedArray.Count), $"{path}: length");
                for (int i = 0; i < expectedArray.Count; i++)
                {
                    AssertSameShape(expectedArray[i], actualArray[i], $"{path}[{i}]", valuesMayDiffer);
                }

                break;
            default:
                if (!valuesMayDiffer)
                {
                    Assert.That(actual?.ToJsonString(), Is.EqualTo(expected?.ToJsonString()), path);
                }

                break;
        }
    }
}
