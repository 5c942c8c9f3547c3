#!/usr/bin/env bash
# Creates bench/.peers/venv with the peer implementations the benchmarks compare against.
# LINDI 0.4.6 has the same import name as this package, so it lives in its own virtualenv.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.peers/venv"
python="${PYTHON:-python3.11}"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --upgrade pip
# imagecodecs: LINDI 0.4.6 imports it at load time without declaring it.
# Pinned to the releases the README's figures used; LINDI 0.4.6 needs zarr 2.
"$venv/bin/pip" install --quiet "lindi==0.4.6" "kerchunk==0.2.7" "zarr>=2.18,<3" h5py remfile "fsspec[http]" imagecodecs
"$venv/bin/python" - <<'PY'
import importlib.metadata as md
for name in ("lindi", "kerchunk", "h5py", "zarr"):
    print(f"{name} {md.version(name)}")
PY
echo "peers ready: $venv"
