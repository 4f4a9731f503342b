#!/bin/sh
# Used by the Dockerfile's dependency layer: with only the workspace's Cargo.toml files
# present, writes an empty stand-in for every target they declare (explicit [lib], [[bin]],
# [[bench]], [[test]], [[example]] entries, and src/lib.rs of every package), so that
# `cargo build` can compile the dependencies before the real sources are copied in.
# Prints the files it wrote, so they can be removed afterwards.
set -eu
for manifest in */Cargo.toml */*/Cargo.toml */*/*/Cargo.toml; do
    [ -f "$manifest" ] || continue
    dir=${manifest%/Cargo.toml}
    awk -v dir="$dir" '
        function flush() {
            if (kind == "lib" && path == "") path = "src/lib.rs";
            if (kind == "bin" && path == "") path = "src/bin/" name ".rs";
            if (kind == "bench" && path == "") path = "benches/" name ".rs";
            if (kind == "test" && path == "") path = "tests/" name ".rs";
            if (kind == "example" && path == "") path = "examples/" name ".rs";
            if (kind != "") print kind, dir "/" path;
            kind = ""; name = ""; path = "";
        }
        /^\[/ { flush() }
        /^\[package\]/ { print "lib", dir "/src/lib.rs" }
        /^\[lib\]/ { kind = "lib" }
        /^\[\[(bin|bench|test|example)\]\]/ { kind = $0; gsub(/[][ ]/, "", kind) }
        kind != "" && /^name *=/ { name = $0; sub(/^name *= *"/, "", name); sub(/".*/, "", name) }
        kind != "" && /^path *=/ { path = $0; sub(/^path *= *"/, "", path); sub(/".*/, "", path) }
        END { flush() }' "$manifest"
done | sort -u | while read -r kind file; do
    mkdir -p "$(dirname "$file")"
    if [ "$kind" = lib ]; then : > "$file"; else echo 'fn main() {}' > "$file"; fi
    echo "$file"
done
