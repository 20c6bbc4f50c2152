using System.Text.Json;
using System.Text.Json.Nodes;
using Kvm.Qmp.Commands;
using Kvm.Qmp.Protocol;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Server;

internal sealed partial class QmpSession
{
    private const string ExpectingNegotiation = "Expecting capabilities negotiation with 'qmp_capabilities'";

    private async ValueTask<bool> DispatchAsync(QmpInput input, CancellationToken token)
    {
        byte[] reply = await ProcessAsync(input, token).ConfigureAwait(false);
        await _outgoing.Writer.WriteAsync(reply, token).ConfigureAwait(false);
        if (_negotiated && !_receivingEvents)
        {
            // Events start after the qmp_capabilities reply, never before it.
            _receivingEvents = true;
            _server.Events.Add(this);
        }

        return !_context.CloseAfterReply;
    }

    private async ValueTask<byte[]> ProcessAsync(QmpInput input, CancellationToken token)
    {
        if (input.IsError)
        {
            return QmpMessages.Error(QmpErrorClass.GenericError, input.Error!, QmpRequestId.None);
        }

        if (input.Value is not JsonObject request)
        {
            return QmpMessages.Error(QmpErrorClass.GenericError, "QMP input must be a JSON object", QmpRequestId.None);
        }

        QmpRequestId id = QmpRequestId.From(request);
        if (!TryCheckRequest(request, out string? name, out bool outOfBand, out JsonObject? arguments, out string? error))
        {
            return QmpMessages.Error(QmpErrorClass.GenericError, error, id);
        }

        s_log.Debug("QMP {Monitor} <- {Command}", MonitorName, name);
        if (!_negotiated)
        {
            return name == QmpCapabilitiesCommand.CommandName
                ? Negotiate(arguments, id, token)
                : QmpMessages.Error(QmpErrorClass.CommandNotFound, ExpectingNegotiation, id);
        }

        if (!_server.Registry.TryGet(name, out QmpCommand? command))
        {
            return QmpMessages.Error(QmpErrorClass.CommandNotFound, $"The command {name} has not been found", id);
        }

        if (outOfBand && !command.AllowOob)
        {
            return QmpMessages.Error(QmpErrorClass.GenericError, $"The command {name} does not support OOB", id);
        }

        string? argumentError = QmpArgumentChecker.Check(command.ArgumentsType, arguments);
        if (argumentError is not null)
        {
            return QmpMessages.Error(QmpErrorClass.GenericError, argumentError, id);
        }

        try
        {
            byte[] result = await command.InvokeAsync(_context, arguments, token).ConfigureAwait(false);
            return QmpMessages.Return(result, id);
        }
        catch (QmpException e)
        {
            return QmpMessages.Error(e.ErrorClass, e.Message, id);
        }
        catch (JsonException e)
        {
            // Arguments passed the schema check but not the command's own type (a schema/record mismatch).
            s_log.Error(e, "Command {Command} could not read its arguments", name);
            return QmpMessages.Error(QmpErrorClass.GenericError, "Invalid arguments", id);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug in a command: logged as an error, and the client still gets a reply for its id
            // (the daemon would otherwise wait for it until its timeout).
            s_log.Error(e, "Command {Command} failed", name);
            return QmpMessages.Error(QmpErrorClass.GenericError, $"Internal error in {name}", id);
        }
    }

    /// <summary>The request object's members as QEMU checks them (qmp_dispatch_check_obj).</summary>
    private bool TryCheckRequest(
        JsonObject request,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? name,
        out bool outOfBand,
        out JsonObject? arguments,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        name = null;
        outOfBand = false;
        arguments = null;
        string? execute = null;
        string? execOob = null;
        foreach (KeyValuePair<string, JsonNode?> member in request)
        {
            switch (member.Key)
            {
                case "execute" or "exec-oob":
                    if (member.Key == "exec-oob" && !_oob)
                    {
                        error = "QMP input member 'exec-oob' is unexpected";
                        return false;
                    }

                    if (member.Value?.GetValueKind() != JsonValueKind.String)
                    {
                        error = $"QMP input member '{member.Key}' must be a string";
                        return false;
                    }

                    if (member.Key == "execute")
                    {
                        execute = member.Value.GetValue<string>();
                    }
                    else
                    {
                        execOob = member.Value.GetValue<string>();
                    }

                    break;
                case "arguments":
                    if (member.Value is not JsonObject args)
                    {
                        error = "QMP input member 'arguments' must be an object";
                        return false;
                    }

                    arguments = args;
                    break;
                case "id":
                    break;
                default:
                    error = $"QMP input member '{member.Key}' is unexpected";
                    return false;
            }
        }

        if (execute is not null && execOob is not null)
        {
            error = "QMP input member 'execute' clashes with 'exec-oob'";
            return false;
        }

        if (execute is null && execOob is null)
        {
            error = "QMP input lacks member 'execute'";
            return false;
        }

        name = execute ?? execOob!;
        outOfBand = execOob is not null;
        error = null;
        return true;
    }

    private byte[] Negotiate(JsonObject? arguments, QmpRequestId id, CancellationToken token)
    {
        string? argumentError = QmpArgumentChecker.Check(QmpCoreSchema.QmpCapabilitiesArguments, arguments);
        if (argumentError is not null)
        {
            return QmpMessages.Error(QmpErrorClass.GenericError, argumentError, id);
        }

        bool enableOob = arguments?["enable"] is JsonArray enable && enable.Any(e => e?.GetValue<string>() == "oob");
        if (enableOob && !_server.Options.AdvertiseOob)
        {
            return QmpMessages.Error(QmpErrorClass.GenericError, "Capability 'oob' not available", id);
        }

        _negotiated = true;
        _oob = enableOob;
        if (enableOob)
        {
            StartInBandWorker(token);
        }

        s_log.Debug("QMP {Monitor} negotiated (oob {Oob})", MonitorName, enableOob);
        return QmpMessages.Return("{}"u8, id);
    }
}
