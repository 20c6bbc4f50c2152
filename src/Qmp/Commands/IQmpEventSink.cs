using System.Text.Json.Serialization.Metadata;

namespace Kvm.Qmp.Commands;

/// <summary>Where the VMM emits QMP events; the server timestamps them and delivers them to every negotiated monitor.</summary>
public interface IQmpEventSink
{
    void Emit(string name);

    void Emit<TData>(string name, TData data, JsonTypeInfo<TData> dataTypeInfo);
}
