namespace Kvm.Driver.Networks;

/// <summary>virNetworkForwardType: how a network reaches the outside (no &lt;forward&gt; is <see cref="None"/>, an isolated network).</summary>
public enum NetworkForwardMode
{
    None,
    Nat,
    Route,
    Open,
    Bridge,
    Private,
    Vepa,
    Passthrough,
    Hostdev,
}
