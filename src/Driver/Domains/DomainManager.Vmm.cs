using System.Xml.Linq;
using Kvm.DomainXml;
using Kvm.DomainXml.Errors;
using Kvm.Driver.Runtime;
using Kvm.Driver.Storage;
using Kvm.Driver.Vmm;
using Kvm.Qmp;
using Kvm.Qmp.Client;

namespace Kvm.Driver.Domains;

public sealed partial class DomainManager
{
    /// <summary>
    /// Starts kvm-vmm for a domain marked as starting, continues it (unless <paramref name="paused"/>), and reports
    /// STARTED/BOOTED. Whatever goes wrong on the way leaves no VMM behind and the domain shut off (failed).
    /// </summary>
    private async Task LaunchAsync(DomainEntry entry, DomainDocument source, int id, bool paused, CancellationToken cancellationToken)
    {
        string name = entry.Name;
        DomainDocument live = MakeLive(source, id);
        lock (_gate)
        {
            entry.Live = live;
        }

        string liveXml = Format(live);
        var request = new VmmLaunchRequest(Options.VmmPath, Runtime.XmlPathOf(name), Runtime.QmpPathOf(name), Runtime.LogPathOf(name));
        VmmInstance vmm;
        try
        {
            Runtime.EnsureDirectory();
            AtomicFile.WriteAllText(request.DomainXmlPath, liveXml);
            vmm = await VmmInstance.LaunchAsync(request, _qmpOptions, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is VmmLaunchException or IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            FailStart(entry);
            s_log.Error("Domain {Domain} failed to start: {Error}", name, e.Message);
            if (e is OperationCanceledException)
            {
                throw;
            }

            throw DomainErrors.Internal($"process exited while connecting to monitor: {e.Message}", e);
        }

        try
        {
            if (vmm.ConsolePath is { } pty && WithConsolePty(live, pty) is { } withPty)
            {
                live = withPty;
                liveXml = Format(live);
                lock (_gate)
                {
                    entry.Live = live;
                }
            }

            var status = new RuntimeStatus(name, entry.Uuid, id, vmm.Process.Pid, vmm.Process.StartTime, vmm.QmpSocket, vmm.ConsolePath ?? ConsoleFileOf(live), liveXml);
            Runtime.WriteStatus(status);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Without its status file a restarted kvmd could not find this VM again: do not leave it running.
            s_log.Error("Domain {Domain} failed to start: cannot record its runtime status: {Error}", name, e.Message);
            await AbandonAsync(vmm).ConfigureAwait(false);
            FailStart(entry);
            throw DomainErrors.Internal($"cannot record the runtime status of domain '{name}': {e.Message}", e);
        }

        lock (_gate)
        {
            entry.Vmm = vmm;
            _pumps.RemoveAll(static pump => pump.IsCompleted);
            _pumps.Add(PumpAsync(entry, vmm));
        }

        if (paused)
        {
            lock (_gate)
            {
                if (ReferenceEquals(entry.Vmm, vmm))
                {
                    ApplyLocked(entry, DomainStateMachine.OnStartedPaused(entry.State, entry.Reason));
                }
            }

            s_log.Info("Domain {Domain} started paused as id {Id} (kvm-vmm {Pid})", name, id, vmm.Process.Pid);
            return;
        }

        try
        {
            await vmm.ExecuteAsync("cont", null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is QmpException or QmpConnectionException or TimeoutException or IOException or OperationCanceledException)
        {
            s_log.Error("Domain {Domain} failed to start its vCPUs: {Error}", name, e.Message);
            vmm.Process.Signal(Interop.LibC.SigKill);
            try
            {
                await WaitStoppedAsync(entry).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                s_log.Error("kvm-vmm {Pid} of domain {Domain} did not exit after SIGKILL", vmm.Process.Pid, name);
            }

            if (e is OperationCanceledException)
            {
                throw;
            }

            string log = VmmLog.ErrorOf(VmmLog.ReadFrom(request.LogPath, 0));
            throw DomainErrors.Internal($"process exited while connecting to monitor: {(log.Length > 0 ? log : e.Message)}", e);
        }

        // The RESUME event may have done this already.
        Apply(entry, vmm, new VmmEvent(VmmEventKind.Resume));
        s_log.Info("Domain {Domain} started as id {Id} (kvm-vmm {Pid})", name, id, vmm.Process.Pid);
    }

    /// <summary>Kills a VMM kvmd will not keep, and closes its monitor.</summary>
    private static async Task AbandonAsync(VmmInstance vmm)
    {
        vmm.Process.Signal(Interop.LibC.SigKill);
        try
        {
            await vmm.Process.Exited.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            s_log.Error("kvm-vmm {Pid} did not exit after SIGKILL", vmm.Process.Pid);
        }

        await vmm.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A start that never got a VMM running: shut off (failed), its files removed, a transient domain gone.</summary>
    private void FailStart(DomainEntry entry)
    {
        Runtime.Clean(entry.Name);
        TaskCompletionSource? stopped;
        lock (_gate)
        {
            entry.State = DomainState.Shutoff;
            entry.Reason = DomainStateReason.ShutoffFailed;
            entry.Id = -1;
            entry.Live = null;
            entry.Destroying = false;
            stopped = entry.Stopped;
            entry.Stopped = null;
            if (entry.Persistent is null)
            {
                RemoveLocked(entry);
            }
        }

        stopped?.TrySetResult();
    }

    private async Task WaitStoppedAsync(DomainEntry entry)
    {
        Task? stopped;
        lock (_gate)
        {
            stopped = entry.Stopped?.Task;
        }

        if (stopped is not null)
        {
            await stopped.WaitAsync(Options.KillTimeout).ConfigureAwait(false);
        }
    }

    /// <summary>Feeds one VMM's events into the state machine until its monitor closes, then handles its exit.</summary>
    private async Task PumpAsync(DomainEntry entry, VmmInstance vmm)
    {
        await Task.Yield();
        using var scope = NLog.ScopeContext.PushProperty("Domain", entry.Name);
        await foreach (QmpEventMessage message in vmm.Qmp.Events.ConfigureAwait(false))
        {
            if (VmmEvent.TryFromQmp(message, out VmmEvent vmmEvent))
            {
                s_log.Debug("Domain {Domain} VMM event {Event}", entry.Name, message.Name);
                Apply(entry, vmm, vmmEvent);
            }
        }

        if (_disposing.IsCancellationRequested)
        {
            return; // kvmd is going away; the VM keeps running.
        }

        try
        {
            await vmm.Process.Exited.WaitAsync(Options.KillTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            s_log.Error("kvm-vmm {Pid} closed its monitor but did not exit; killing it", vmm.Process.Pid);
            vmm.Process.Signal(Interop.LibC.SigKill);
            try
            {
                await vmm.Process.Exited.WaitAsync(Options.KillTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Unkillable (stuck in the kernel): its monitor is gone all the same, so the domain is no longer running.
                s_log.Error("kvm-vmm {Pid} did not exit after SIGKILL; treating domain {Domain} as stopped", vmm.Process.Pid, entry.Name);
            }
        }
        catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
        {
            return; // the watch on an adopted process ended with kvmd
        }

        try
        {
            await vmm.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            OnExited(entry, vmm);
        }
    }

    private void OnExited(DomainEntry entry, VmmInstance vmm)
    {
        Runtime.Clean(entry.Name);
        TaskCompletionSource? stopped;
        lock (_gate)
        {
            if (!ReferenceEquals(entry.Vmm, vmm))
            {
                return;
            }

            ApplyLocked(entry, DomainStateMachine.OnVmmEvent(entry.State, entry.Reason, entry.Destroying, entry.Current.Definition.Lifecycle, VmmEvent.Exited));
            entry.Vmm = null;
            entry.Reboot = RebootPhase.None;
            entry.Id = -1;
            entry.Live = null;
            entry.Updated = false;
            entry.Destroying = false;
            stopped = entry.Stopped;
            entry.Stopped = null;
            if (entry.Persistent is null)
            {
                RemoveLocked(entry);
            }
        }

        s_log.Info("Domain {Domain} stopped", entry.Name);
        stopped?.TrySetResult();
    }

    private void Apply(DomainEntry entry, VmmInstance vmm, VmmEvent vmmEvent)
    {
        lock (_gate)
        {
            if (ReferenceEquals(entry.Vmm, vmm))
            {
                var transition = DomainStateMachine.OnVmmEvent(entry.State, entry.Reason, entry.Destroying, entry.Current.Definition.Lifecycle, vmmEvent, entry.Reboot);
                ApplyLocked(entry, transition);
                if (transition.ResetGuest)
                {
                    BeginResetLocked(entry, vmm);
                }
            }
        }
    }

    private void ApplyLocked(DomainEntry entry, DomainTransition transition)
    {
        entry.State = transition.State;
        entry.Reason = transition.Reason;
        foreach (var (type, detail) in transition.Events)
        {
            Raise(entry, type, detail);
        }

        if (transition.Rebooted)
        {
            RaiseRebooted(entry.Uuid);
        }
    }

    /// <summary>The running definition: the source with libvirt's live <c>id</c> on its root.</summary>
    private static DomainDocument MakeLive(DomainDocument source, int id)
    {
        var root = XElement.Parse(Format(source, DomainFormatFlags.Secure | DomainFormatFlags.Inactive));
        root.SetAttributeValue("id", id);
        return DomainXmlParser.Parse(root.ToString(), null, DomainParseFlags.SkipValidate);
    }

    /// <summary>
    /// The live definition with the pseudo-terminal kvm-vmm gave the first pty serial port, as libvirt writes it: the
    /// serial's <c>&lt;source path&gt;</c>, and the pty console's <c>tty</c> and source. Null when there is no pty serial.
    /// </summary>
    private static DomainDocument? WithConsolePty(DomainDocument live, string pty)
    {
        var root = XElement.Parse(Format(live, DomainFormatFlags.Secure));
        var devices = root.Element("devices");
        var serial = devices?.Elements("serial").FirstOrDefault(s => (string?)s.Attribute("type") == "pty");
        if (serial is null)
        {
            return null;
        }

        SetSourcePath(serial, pty);
        foreach (var console in devices!.Elements("console").Where(c => (string?)c.Attribute("type") == "pty"))
        {
            console.SetAttributeValue("tty", pty);
            SetSourcePath(console, pty);
        }

        return DomainXmlParser.Parse(root.ToString(), null, DomainParseFlags.SkipValidate);
    }

    private static void SetSourcePath(XElement chardev, string path)
    {
        chardev.Element("source")?.Remove();
        chardev.AddFirst(new XElement("source", new XAttribute("path", path)));
    }

    /// <summary>A serial console written to a file or a socket has its path in the definition.</summary>
    private static string? ConsoleFileOf(DomainDocument live) =>
        live.Root.Element("devices")?.Element("serial")?.Element("source")?.Attribute("path")?.Value;

    private static DomainDocument? TryParseLive(string xml, string name)
    {
        try
        {
            return DomainXmlParser.Parse(xml, null, DomainParseFlags.SkipValidate);
        }
        catch (DomainXmlException e)
        {
            s_log.Error("Runtime status of {Domain} holds a definition that does not parse: {Error}", name, e.Message);
            return null;
        }
    }
}
