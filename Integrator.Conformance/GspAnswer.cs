using System.Text.Json.Nodes;

namespace Integrator.Conformance;

/// <summary>One answer of the target: status, media type and the JSON it carried (opened, when sealed).</summary>
public sealed record GspAnswer(int Status, string? MediaType, string Body, bool Authentic)
{
    public JsonNode? Json => Body.Length > 0 && Body[0] == '{' ? JsonNode.Parse(Body) : null;

    public string? Field(string name) => Json?[name]?.GetValue<string>();

    public string? ErrorCode => Field("errorResponseCode");

    /// <summary>The body without responseHeader.responseTimestamp, which a replay may change.</summary>
    public string WithoutTimestamp()
    {
        if (Json is not JsonObject copy)
        {
            return Body;
        }

        copy["responseHeader"]?.AsObject().Remove("responseTimestamp");
        return copy.ToJsonString();
    }

    public override string ToString() => $"HTTP {Status} {Body}";
}
