#!/usr/bin/env bash
# One command for the REST-registry example: start the sample register, play the mapping's
# requests through the adapter (simulated Domibus, real HTTP to the register), stop.
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 examples/rest-registry/registry.py 8181 &
registry=$!
trap 'kill $registry 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8181/api/v1')" 2>/dev/null && break
  sleep 0.1
done
cargo run --quiet --bin oots-adapter -- demo --auto-approve --config examples/rest-registry/adapter.yaml "$@"
