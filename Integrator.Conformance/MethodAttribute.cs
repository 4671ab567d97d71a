namespace Integrator.Conformance;

/// <summary>
/// The GSP method a check exercises (repeatable): the rule's place in the report's methods × rules table. A rule
/// checked on reserveFunds alone (the version, timestamp and field rules) names reserveFunds: that is what it proved.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class MethodAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
