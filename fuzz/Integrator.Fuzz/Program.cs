using Integrator.Fuzz;

// Coverage-guided fuzzing of the PGP layer with AFL++ (fuzz/afl.sh runs it; README "Fuzzing" says how):
//   Integrator.Fuzz opener  <keys>   one OpenPGP message per input, as it arrives after base64url
//   Integrator.Fuzz inner   <keys>   the packets inside the encryption, sealed with a valid session key and MDC first
//   Integrator.Fuzz keyfile          one key file per input, as the keyring loader reads it
//   Integrator.Fuzz seeds   <keys> <folder>   writes a starting corpus for each target
//   Integrator.Fuzz replay  opener|inner|keyfile <keys> <files…>   runs findings without AFL (an uninstrumented build)
return args switch
{
    ["seeds", var keys, var folder] => Targets.WriteSeeds(keys, folder),
    ["replay", var target, var keys, .. var files] => Targets.Replay(target, keys, files),
    [var target, .. var rest] => Targets.Run(target, rest.FirstOrDefault()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Integrator.Fuzz opener|inner <keys folder> | keyfile | seeds <keys folder> <corpus folder> | replay <target> <keys folder> <files>");
    return 2;
}
