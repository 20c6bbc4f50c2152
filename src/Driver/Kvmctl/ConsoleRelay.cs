namespace Kvm.Kvmctl;

/// <summary>
/// Copies the guest's console to the terminal and the terminal to the guest until the escape byte (Ctrl-], 0x1d)
/// is typed, standard input ends, or the console closes (the domain stopped).
/// </summary>
internal sealed class ConsoleRelay
{
    public const byte EscapeByte = 0x1d;
    private readonly Stream _console;
    private readonly Stream _input;
    private readonly Stream _output;

    public ConsoleRelay(Stream console, Stream input, Stream output)
    {
        _console = console;
        _input = input;
        _output = output;
    }

    /// <summary>Relays until one side ends; the other side's pending read is abandoned (the process exits soon after).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task fromGuest = Task.Run(() => FromGuestAsync(stop.Token), stop.Token);
        Task toGuest = Task.Run(() => ToGuestAsync(stop.Token), stop.Token);
        Task first = await Task.WhenAny(fromGuest, toGuest).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await first.ConfigureAwait(false);
    }

    private async Task FromGuestAsync(CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[4096];
        while (true)
        {
            int read;
            try
            {
                read = await _console.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                return; // EIO: the other end of the pty closed
            }
            if (read == 0)
            {
                return;
            }
            await _output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ToGuestAsync(CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[1024];
        while (true)
        {
            int read = await _input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }
            int escape = Array.IndexOf(buffer, EscapeByte, 0, read);
            int length = escape < 0 ? read : escape;
            if (length > 0)
            {
                await _console.WriteAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                await _console.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            if (escape >= 0)
            {
                return;
            }
        }
    }
}
