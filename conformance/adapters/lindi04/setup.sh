#!/bin/sh
# Create the adapter's own virtualenv (conformance/.work/venv04, gitignored) with LINDI 0.4.6.
set -e
here=$(cd "$(dirname "$0")" && pwd)
venv="$here/../../.work/venv04"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q "lindi==0.4.6"
