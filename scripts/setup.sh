#!/usr/bin/env bash
# Installs what the project needs on a Debian machine with Node 20:
# Icarus Verilog, Verilator, Yosys and z3 (Debian packages, only when missing) and the npm packages.
# Native Yosys runs the synthesis tests and benchmarks (far faster than the WebAssembly build
# that the package itself falls back to); its yosys-smtbmc with the z3 solver runs the formal
# proofs (synth/prove.ts).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v iverilog >/dev/null 2>&1 || missing+=(iverilog)
command -v verilator >/dev/null 2>&1 || missing+=(verilator)
command -v yosys >/dev/null 2>&1 || missing+=(yosys)
command -v z3 >/dev/null 2>&1 || missing+=(z3)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]} (Debian packages)" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
