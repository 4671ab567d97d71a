namespace Integrator.Api.Gsp;

internal static class RequestBody
{
    /// <summary>
    /// The whole body, or null when it is larger than <paramref name="maxBytes"/> (the rest is not read). The buffer
    /// grows as bytes arrive: a Content-Length that is announced and never sent reserves nothing.
    /// </summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }
}
