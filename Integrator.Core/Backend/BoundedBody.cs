namespace Integrator.Core.Backend;

/// <summary>A back end's answer read whole, but never more than a bound: a huge body is a failed attempt, not memory spent.</summary>
public static class BoundedBody
{
    public const int MaxBytes = 64 * 1024;

    /// <returns>The body, or null if it is longer than <see cref="MaxBytes"/>.</returns>
    public static async Task<byte[]?> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength > MaxBytes)
        {
            return null;
        }

        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
