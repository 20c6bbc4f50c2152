namespace Kvm.Driver.Networks;

/// <summary>virNetworkEventLifecycleType.</summary>
public enum NetworkEventType
{
    Defined = 0,
    Undefined = 1,
    Started = 2,
    Stopped = 3,
}
