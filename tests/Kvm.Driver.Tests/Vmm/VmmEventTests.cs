using System.Text.Json.Nodes;
using Kvm.Driver.Vmm;
using Kvm.Qmp.Client;
using NUnit.Framework;

namespace Kvm.Driver.Tests.Vmm;

public sealed class VmmEventTests
{
    [TestCase("STOP", null, ExpectedResult = "Stop  ")]
    [TestCase("RESUME", null, ExpectedResult = "Resume  ")]
    [TestCase("SHUTDOWN", """{"guest":true,"reason":"guest-shutdown"}""", ExpectedResult = "Shutdown True guest-shutdown")]
    [TestCase("RESET", """{"guest":false,"reason":"host-qmp-system-reset"}""", ExpectedResult = "Reset False host-qmp-system-reset")]
    [TestCase("POWERDOWN", null, ExpectedResult = "Powerdown  ")]
    [TestCase("SHUTDOWN", """{"guest":"yes","reason":7}""", ExpectedResult = "Shutdown  ")]
    public string TryFromQmp_LifecycleEvents_Translated(string name, string? data)
    {
        var message = new QmpEventMessage(name, data is null ? null : JsonNode.Parse(data)!.AsObject(), default);
        Assert.That(VmmEvent.TryFromQmp(message, out var e), Is.True);
        return $"{e.Kind} {e.Guest} {e.Reason}";
    }

    [Test]
    public void TryFromQmp_OtherEvent_False() =>
        Assert.That(VmmEvent.TryFromQmp(new QmpEventMessage("BLOCK_JOB_READY", null, default), out _), Is.False);
}
