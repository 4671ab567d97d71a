using NUnit.Framework.Api;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace Integrator.Conformance;

/// <summary>
/// Runs the kit's NUnit checks in this process for the tool: the target is checked first (options that cannot
/// describe one end the run with exit code 2 and what is wrong), then a mark per rule as it finishes, then the report.
/// </summary>
public sealed class InProcessRun : ITestListener
{
    private readonly TextWriter _out;

    private InProcessRun(TextWriter output) => _out = output;

    public static int Execute(TextWriter output, TextWriter errors)
    {
        if (Target.Described(errors) is null)
        {
            return 2;
        }

        output.WriteLine($"Checking {Target.Describe()} against Google's rules:");
        var runner = new NUnitTestAssemblyRunner(new DefaultTestAssemblyBuilder());
        runner.Load(typeof(InProcessRun).Assembly, new Dictionary<string, object> { [NUnit.FrameworkPackageSettings.WorkDirectory] = Target.ReportFolder });
        var result = runner.Run(new InProcessRun(output), TestFilter.Empty);
        output.WriteLine($"Reports: {Target.ReportFolder}{Path.DirectorySeparatorChar}conformance.{{txt,junit.xml,html}}");
        return result.FailCount > 0 || result.ResultState.Status == TestStatus.Failed ? 1 : 0;
    }

    public void TestStarted(ITest test)
    {
    }

    public void TestFinished(ITestResult result)
    {
        if (result.Test.IsSuite)
        {
            return;
        }

        _out.Write(result.ResultState.Status switch
        {
            TestStatus.Passed => ".",
            TestStatus.Failed => "F",
            _ => "s",
        });
    }

    /// <summary>The report's table, written by the kit's teardown to NUnit's progress stream.</summary>
    public void TestOutput(TestOutput output)
    {
        _out.WriteLine();
        _out.Write(output.Text);
    }

    public void SendMessage(TestMessage message)
    {
    }
}
