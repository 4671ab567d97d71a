
namespace Integrator.Core.Gsp
{
    /// <summary>
    /// GSP carries times as epoch milliseconds (int64 strings); everywhere else a time is a <see cref="DateTimeOffset"/>.
    /// The conversion happens here, at the edge of the messages, and in Storage, at the edge of the database.
    /// </summary>
    public static class GspTime
    {
        public static long Millis(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

        public static DateTimeOffset Of(long millis) => DateTimeOffset.FromUnixTimeMilliseconds(millis);
    }
}

namespace Integrator.Core.Gsp.V1
{
    public sealed partial class RequestHeader
    {
        /// <summary>The header of a request we send to Google: protocol version 1.<paramref name="minor"/>.0.</summary>
        public static RequestHeader For(string requestId, DateTimeOffset now, int minor = 0) => new()
        {
            ProtocolVersion = new V1.Version { Major = 1, Minor = minor, Revision = 0 },
            RequestId = requestId,
            RequestTimestamp = GspTime.Millis(now),
        };

        public DateTimeOffset Timestamp => GspTime.Of(RequestTimestamp);
    }

    public sealed partial class ResponseHeader
    {
        public static ResponseHeader At(DateTimeOffset now) => new() { ResponseTimestamp = GspTime.Millis(now) };
    }
}
