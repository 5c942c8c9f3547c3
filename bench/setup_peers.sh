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
# Pinned: LINDI 0.4.6 is written for zarr 2 (without the pin a resolver may pick zarr 3, and its import of the
# zarr 2 API fails); kerchunk 0.2.7 runs on zarr 2 and is the release the README's figures used.
"$venv/bin/pip" install --quiet "lindi==0.4.6" "kerchunk==0.2.7" "zarr>=2.18,<3" h5py remfile "fsspec[http]" imagecodecs
"$venv/bin/python" - <<'PY'
import importlib.metadata as md
for name in ("lindi", "kerchunk", "h5py", "zarr"):
    print(f"{name} {md.version(name)}")
PY
echo "peers ready: $venv"
