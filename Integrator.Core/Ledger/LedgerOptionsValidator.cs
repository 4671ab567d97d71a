using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Ledger;

public sealed class LedgerOptionsValidator(IHostEnvironment environment) : IValidateOptions<LedgerOptions>
{
    public ValidateOptionsResult Validate(string? name, LedgerOptions options) =>
        string.IsNullOrWhiteSpace(options.SeedFile)
        || File.Exists(Path.GetFullPath(options.SeedFile, environment.ContentRootPath))
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Ledger:SeedFile '{options.SeedFile}' does not exist (relative paths start at {environment.ContentRootPath}).");
}
