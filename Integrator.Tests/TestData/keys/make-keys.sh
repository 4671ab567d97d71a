#!/usr/bin/env bash
# Regenerates the test-only OpenPGP keys in this folder with GnuPG. They protect nothing: never use them elsewhere.
#   integrator-1, integrator-2   our keys (rotation), passphrase "test-passphrase"
#   google-1, google-2           Google's keys (rotation); their secret halves let tests play Google
#   *-expired                    expired keys (made with a faked clock, one day of validity, in 2020)
#   *-revoked                    keys with their revocation certificate imported
#   stranger                     a key nobody configured
# Each key: RSA-2048 primary [SC] and RSA-2048 subkey [E], as `gpg --full-generate-key` makes them.
set -euo pipefail
cd "$(dirname "$0")"
export GNUPGHOME=$(mktemp -d)
trap 'rm -rf "$GNUPGHOME"' EXIT
passphrase=test-passphrase

make() { # name, expiry, extra gpg options
  local name=$1 expiry=$2; shift 2
  gpg --batch --pinentry-mode loopback --passphrase "$passphrase" "$@" \
      --quick-generate-key "$name <$name@integrator.test>" rsa2048 sign,cert "$expiry"
  local fpr
  fpr=$(gpg --batch --with-colons --list-keys "$name@integrator.test" | awk -F: '/^fpr/ { print $10; exit }')
  gpg --batch --pinentry-mode loopback --passphrase "$passphrase" "$@" --quick-add-key "$fpr" rsa2048 encr "$expiry"
  echo "$fpr"
}

export_key() { # name
  gpg --batch --armor --export "$1@integrator.test" > "$1.pub.asc"
  gpg --batch --pinentry-mode loopback --passphrase "$passphrase" --armor --export-secret-keys "$1@integrator.test" > "$1.sec.asc"
}

for name in integrator-1 integrator-2 google-1 google-2 stranger integrator-revoked google-revoked; do
  make "$name" never > /dev/null
done
for name in integrator-expired google-expired; do
  make "$name" 1d --faked-system-time 20200101T000000 > /dev/null
done
for name in integrator-revoked google-revoked; do
  fpr=$(gpg --batch --with-colons --list-keys "$name@integrator.test" | awk -F: '/^fpr/ { print $10; exit }')
  # gpg writes a revocation certificate for every new key; its first line is guarded by a ':' against accidents.
  sed 's/^:-----BEGIN/-----BEGIN/' "$GNUPGHOME/openpgp-revocs.d/$fpr.rev" | gpg --batch --import
done
for name in integrator-1 integrator-2 google-1 google-2 stranger integrator-revoked google-revoked integrator-expired google-expired; do
  export_key "$name"
done
gpg --batch --list-keys --keyid-format long --list-options show-unusable-subkeys
