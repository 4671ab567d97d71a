namespace Integrator.Api.Gsp;

/// <summary>What reading a Google call's body gave.</summary>
internal enum BodyRead
{
    Complete,
    TooLarge,
    TooSlow,
}

internal static class RequestBody
{
    /// <summary>
    /// The whole body, unless it is larger than <paramref name="maxBytes"/> (the rest is not read) or has not arrived
    /// within <paramref name="deadline"/>. The buffer grows as bytes arrive: a Content-Length that is announced and never
    /// sent reserves nothing.
    /// </summary>
    public static async Task<(BodyRead Outcome, ReadOnlyMemory<byte> Body)> ReadAsync(
        HttpRequest request, int maxBytes, TimeSpan deadline, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes)
        {
            return (BodyRead.TooLarge, default);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(deadline);
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, timeout.Token)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    return (BodyRead.TooLarge, default);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (BodyRead.TooSlow, default);
        }

        return (BodyRead.Complete, buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }
}
