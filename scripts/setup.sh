#!/usr/bin/env bash
# Installs what learnkit needs on a fresh machine; safe to run again.
#   scripts/setup.sh demo   the Python environment (.venv) with learnkit and its dependencies
#   scripts/setup.sh test   also Debian's PostgreSQL 15 with pgTAP and plpgsql_check, and the pinned Supabase CLI
#                           (from the npm registry) that the compatibility and `supabase db lint` tests run, and
#                           the pinned TypeScript compiler and supabase-js the generated types are compiled against,
#                           and Graphviz (`learnkit gen erd`)
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-demo}"
supabase_cli_version="3.1.0"
typescript_version="7.0.2"  # the native compiler (tsgo): the tsc test takes about a second
supabase_js_version="2.119.1"

if [ ! -x .venv/bin/python ]; then
  "${PYTHON:-python3}" -m venv .venv
fi
stamp=.venv/.learnkit-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/pip install --quiet --disable-pip-version-check -e '.[dev]' 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/python -c 'import cli, psycopg, typer' && touch "$stamp"
fi

if [ "$mode" = "test" ]; then
  packages=()
  [ -x /usr/lib/postgresql/15/bin/postgres ] || packages+=(postgresql-15)
  [ -f /usr/share/postgresql/15/extension/pgtap.control ] || packages+=(postgresql-15-pgtap)
  # `supabase db lint` creates the extension itself (tests/test_supabase_lint.py)
  [ -f /usr/share/postgresql/15/extension/plpgsql_check.control ] || packages+=(postgresql-15-plpgsql-check)
  command -v pdftoppm >/dev/null || packages+=(poppler-utils)  # the progress-report PDF tests
  command -v dot >/dev/null || packages+=(graphviz)  # `learnkit gen erd` renders docs/erd.svg and erd.png
  if [ "${#packages[@]}" -gt 0 ]; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "Installing ${packages[*]}..." >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
  fi
  if [ ! -x .learnkit/tools/node_modules/.bin/supabase ] \
     || [ "$(.learnkit/tools/node_modules/.bin/supabase --version 2>/dev/null)" != "$supabase_cli_version" ]; then
    echo "Installing the Supabase CLI $supabase_cli_version..." >&2
    mkdir -p .learnkit/tools
    npm install --prefix .learnkit/tools --no-audit --no-fund --silent "supabase@$supabase_cli_version" >/dev/null
  fi
  # tests/test_gen_typescript.py: types/database.ts compiled with `tsc --strict` against supabase-js
  installed_version() { node -p "require('./.learnkit/tools/node_modules/$1/package.json').version" 2>/dev/null || true; }
  if [ "$(installed_version typescript)" != "$typescript_version" ] \
     || [ "$(installed_version @supabase/supabase-js)" != "$supabase_js_version" ]; then
    echo "Installing TypeScript $typescript_version and supabase-js $supabase_js_version..." >&2
    mkdir -p .learnkit/tools
    npm install --prefix .learnkit/tools --no-audit --no-fund --silent \
      "typescript@$typescript_version" "@supabase/supabase-js@$supabase_js_version" >/dev/null
  fi
fi

# scripts/setup.sh bench   also Debian's PostgreSQL 15 (pgbench), redis-server and the Python redis client,
#                          for bench/xp_award.py and bench/leaderboard.py
if [ "$mode" = "bench" ]; then
  packages=()
  [ -x /usr/lib/postgresql/15/bin/postgres ] || packages+=(postgresql-15)
  command -v pgbench >/dev/null || packages+=(postgresql-client-15)
  command -v redis-server >/dev/null || packages+=(redis-server)
  if [ "${#packages[@]}" -gt 0 ]; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "Installing ${packages[*]}..." >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
  fi
  .venv/bin/pip install --quiet --disable-pip-version-check -e '.[dev,bench]' 2>&1 | grep -v '^WARNING: Location' || true
fi
