using Kvm.Driver.Rpc;

namespace Kvm.Driver.Tests.Rpc;

public sealed class RemoteProcedureNamesTests
{
    [TestCase(RemoteProcedure.ConnectOpen, "virConnectOpen")]
    [TestCase(RemoteProcedure.DomainGetXmlDesc, "virDomainGetXMLDesc")]
    [TestCase(RemoteProcedure.DomainLookupByUuid, "virDomainLookupByUUID")]
    [TestCase(RemoteProcedure.ConnectListAllDomains, "virConnectListAllDomains")]
    public void ApiName_Procedure_LibvirtsFunction(RemoteProcedure procedure, string expected) =>
        Assert.That(RemoteProcedureNames.ApiName((int)procedure), Is.EqualTo(expected));

    [TestCase(RemoteProcedure.AuthList)]
    [TestCase(RemoteProcedure.DomainEventCallbackLifecycle)]
    [TestCase((RemoteProcedure)100_000)]
    public void ApiName_NoCallableFunction_Null(RemoteProcedure procedure) =>
        Assert.That(RemoteProcedureNames.ApiName((int)procedure), Is.Null);

    [TestCase(RemoteProcedure.DomainDefineXml, true)]
    [TestCase(RemoteProcedure.DomainCreateWithFlags, true)]
    [TestCase(RemoteProcedure.DomainSetAutostart, true)]
    [TestCase(RemoteProcedure.ConnectGetDomainCapabilities, true)] // libvirt refuses it read-only too
    [TestCase(RemoteProcedure.DomainGetXmlDesc, false)]
    [TestCase(RemoteProcedure.ConnectListAllDomains, false)]
    [TestCase(RemoteProcedure.DomainGetVcpusFlags, false)] // refused only with VIR_DOMAIN_VCPU_GUEST, which kvmd does not take
    [TestCase(RemoteProcedure.ConnectOpen, false)]
    [TestCase(RemoteProcedure.ConnectListAllNetworks, false)]
    [TestCase(RemoteProcedure.NetworkGetDhcpLeases, false)]
    [TestCase(RemoteProcedure.ConnectNetworkEventRegisterAny, false)]
    public void RefusedReadOnly_Procedure_AsLibvirtChecks(RemoteProcedure procedure, bool expected) =>
        Assert.That(RemoteProcedureNames.RefusedReadOnly((int)procedure), Is.EqualTo(expected));

    [Test]
    public void RefusedReadOnly_EveryImplementedChangingProcedure_Refused()
    {
        RemoteProcedure[] changing =
        [
            RemoteProcedure.DomainCreate, RemoteProcedure.DomainCreateXml, RemoteProcedure.DomainDefineXmlFlags, RemoteProcedure.DomainUndefine,
            RemoteProcedure.DomainUndefineFlags, RemoteProcedure.DomainDestroy, RemoteProcedure.DomainDestroyFlags, RemoteProcedure.DomainShutdown,
            RemoteProcedure.DomainShutdownFlags, RemoteProcedure.DomainReboot, RemoteProcedure.DomainReset, RemoteProcedure.DomainSuspend,
            RemoteProcedure.DomainResume, RemoteProcedure.DomainSetMetadata, RemoteProcedure.DomainRename,
            RemoteProcedure.NetworkDefineXml, RemoteProcedure.NetworkDefineXmlFlags, RemoteProcedure.NetworkCreateXml,
            RemoteProcedure.NetworkCreateXmlFlags, RemoteProcedure.NetworkCreate, RemoteProcedure.NetworkDestroy,
            RemoteProcedure.NetworkUndefine, RemoteProcedure.NetworkSetAutostart, RemoteProcedure.NetworkUpdate,
        ];
        Assert.That(changing.Where(p => !RemoteProcedureNames.RefusedReadOnly((int)p)), Is.Empty);
    }
}
