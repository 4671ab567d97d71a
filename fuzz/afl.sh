#!/usr/bin/env bash
# Coverage-guided fuzzing of the PGP layer with AFL++ and SharpFuzz: fuzz/afl.sh TARGET [SECONDS]
#   TARGET: opener (one OpenPGP message), inner (the packets behind a valid session key and MDC), keyfile (a key file)
# Needs afl++ (Debian) and the sharpfuzz tool (dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0).
# Findings land in fuzz/findings/TARGET (crashes/ = an exception escaped, hangs/ = over the per-input time limit).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: fuzz/afl.sh opener|inner|keyfile [seconds]}
seconds=${2:-600}
out=fuzz/out
keys=$PWD/Integrator.Tests/TestData/keys
export PATH="$PATH:$HOME/.dotnet/tools"

rm -rf "$out" fuzz/corpus "fuzz/findings/$target"
mkdir -p fuzz/findings
dotnet build -c Release fuzz/Integrator.Fuzz -o "$out" -v q -nologo > /dev/null
dotnet "$out/Integrator.Fuzz.dll" seeds "$keys" fuzz/corpus   # before instrumenting: it runs outside AFL
sharpfuzz "$out/Integrator.Core.dll" > /dev/null              # instruments the assembly that holds the PGP code

args=()
[ "$target" = keyfile ] || args=("$keys")
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1
afl-fuzz -i "fuzz/corpus/$target" -o "fuzz/findings/$target" -t 5000 -m none -V "$seconds" \
  -- dotnet "$out/Integrator.Fuzz.dll" "$target" "${args[@]}"
grep -E "execs_done|corpus_count|saved_crashes|saved_hangs|bitmap_cvg|run_time" "fuzz/findings/$target/default/fuzzer_stats"
