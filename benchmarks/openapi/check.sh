#!/usr/bin/env bash
# The OpenAPI document through the tools integrators use (docs/integrators.md, "Checked with" and
# "Generated clients"). Not part of `make test`: it needs Node.js, and the network once to install
# the tools; the generated clients stay in OUT, never in the repository.
#
#   benchmarks/openapi/check.sh
#       lint with Redocly CLI and Spectral; generate a Python client (openapi-python-client) and
#       TypeScript types (openapi-typescript, used with openapi-fetch); compile client_check.ts
#       with tsc --strict --noEmit
#   PORTAL_URL=http://127.0.0.1:8021 PORTAL_TOKEN=<integrator's token> benchmarks/openapi/check.sh
#       the same, then run both clients against that portal (client_check.py writes: it creates,
#       changes and submits a draft report of PORTAL_UNIT, bac-ninh by default)
#
# TOOLS (default /tmp/portal-openapi-tools) holds the npm packages and a virtualenv with
# openapi-python-client; DATABASE_URL and SECRET_KEY as for manage.py.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TOOLS=${TOOLS:-/tmp/portal-openapi-tools}
OUT=${OUT:-$(mktemp -d)}
PY=${PY:-$ROOT/.venv/bin/python}

mkdir -p "$TOOLS"
if [ ! -x "$TOOLS/node_modules/.bin/redocly" ] || [ ! -x "$TOOLS/node_modules/.bin/openapi-typescript" ]; then
    (cd "$TOOLS" && { [ -f package.json ] || npm init -y >/dev/null; } &&
     npm install --no-audit --no-fund @redocly/cli@2 @stoplight/spectral-cli@6 openapi-typescript@7 \
         openapi-fetch typescript@5 >/dev/null)
fi
if [ ! -x "$TOOLS/pyclient/bin/openapi-python-client" ]; then
    python3 -m venv "$TOOLS/pyclient" && "$TOOLS/pyclient/bin/pip" install -q openapi-python-client
fi
BIN=$TOOLS/node_modules/.bin

"$PY" "$ROOT/manage.py" spectacular --validate --fail-on-warn --file "$OUT/schema.yaml"

echo "== Redocly CLI $("$BIN/redocly" --version) (recommended, trailing slashes allowed)"
"$BIN/redocly" lint "$OUT/schema.yaml" --config "$HERE/redocly.yaml"
echo "== Spectral $("$BIN/spectral" --version) (spectral:oas, trailing slashes allowed)"
"$BIN/spectral" lint "$OUT/schema.yaml" --ruleset "$HERE/spectral.yaml" --fail-severity=warn

echo "== $("$TOOLS/pyclient/bin/openapi-python-client" --version)"
# ruff (from the portal's virtualenv) formats what it generates.
PATH="$(dirname "$PY"):$PATH" "$TOOLS/pyclient/bin/openapi-python-client" generate --path "$OUT/schema.yaml" \
    --output-path "$OUT/python/portal_client" --meta none --overwrite
"$TOOLS/pyclient/bin/python" -c "import sys; sys.path.insert(0, '$OUT/python'); import portal_client.api.reports.reports_create"

echo "== openapi-typescript $("$BIN/openapi-typescript" --version | tr -d 'v'), TypeScript $("$BIN/tsc" --version)"
mkdir -p "$OUT/ts"
cp "$HERE/client_check.ts" "$OUT/ts/"
ln -sfn "$TOOLS/node_modules" "$OUT/ts/node_modules"
"$BIN/openapi-typescript" "$OUT/schema.yaml" -o "$OUT/ts/schema.d.ts"
(cd "$OUT/ts" && "$BIN/tsc" --strict --noEmit --target es2022 --module nodenext --moduleResolution nodenext client_check.ts)
echo "client_check.ts compiles with tsc --strict"

if [ -n "${PORTAL_URL:-}" ] && [ -n "${PORTAL_TOKEN:-}" ]; then
    echo "== The Python client against $PORTAL_URL"
    PYTHONPATH="$OUT/python" "$TOOLS/pyclient/bin/python" "$HERE/client_check.py"
    echo "== The TypeScript client against $PORTAL_URL"
    (cd "$OUT/ts" && "$BIN/tsc" --strict --target es2022 --module nodenext --moduleResolution nodenext \
        --outDir out client_check.ts && node out/client_check.js)
fi
echo "Document, clients and results in $OUT"
