#!/usr/bin/env bash
# The OpenAPI document through the tools integrators use (docs/integrators.md, "Checked with").
# Not part of `make test`: it needs Node.js and the network once, to install the tools.
#
#   benchmarks/openapi/check.sh            # lint with Redocly CLI and Spectral
#
# TOOLS (default /tmp/portal-openapi-tools) holds the npm packages; DATABASE_URL and SECRET_KEY
# as for manage.py (the schema needs migrated tables only for the command's checks).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TOOLS=${TOOLS:-/tmp/portal-openapi-tools}
OUT=${OUT:-$(mktemp -d)}
PY=${PY:-$ROOT/.venv/bin/python}

mkdir -p "$TOOLS"
if [ ! -x "$TOOLS/node_modules/.bin/redocly" ]; then
    (cd "$TOOLS" && npm init -y >/dev/null &&
     npm install --no-audit --no-fund @redocly/cli@2 @stoplight/spectral-cli@6 >/dev/null)
fi
BIN=$TOOLS/node_modules/.bin

"$PY" "$ROOT/manage.py" spectacular --validate --fail-on-warn --file "$OUT/schema.yaml"
echo "== Redocly CLI $("$BIN/redocly" --version) (recommended, trailing slashes allowed)"
"$BIN/redocly" lint "$OUT/schema.yaml" --config "$HERE/redocly.yaml"
echo "== Spectral $("$BIN/spectral" --version) (spectral:oas, trailing slashes allowed)"
"$BIN/spectral" lint "$OUT/schema.yaml" --ruleset "$HERE/spectral.yaml" --fail-severity=warn
echo "Document and results in $OUT"
