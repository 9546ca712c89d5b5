# Shared set-up for scripts/demo.sh and scripts/test.sh; sourced, not run.
# Installs what the app needs on a fresh Debian/Ubuntu machine (system packages when run
# as root), creates .venv, installs the Python packages and compiles the translations.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"

ensure_system_packages() {
  # $@: Debian package names
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "setup: not a Debian-like system; make sure these (or their equivalents) are installed: $*" >&2
    return 0
  fi
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing system packages: ${missing[*]}" >&2
    echo "setup: install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
}

# WeasyPrint renders PDFs with Pango; libharfbuzz-subset0 makes font subsetting ~10x faster.
PDF_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)

ensure_venv() {
  # $1: pip extras, e.g. "" or "[test]". COOP_SKIP_INSTALL=1: the venv is known to be
  # complete (CI installs once, then runs two passes side by side).
  if [ "${COOP_SKIP_INSTALL:-}" = 1 ] && [ -x .venv/bin/python ]; then
    return 0
  fi
  if [ ! -x .venv/bin/python ]; then
    echo "setup: creating the virtual environment .venv"
    "$PYTHON" -m venv .venv
  fi
  echo "setup: installing the Python packages into .venv (a few minutes the first time)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  # pip's own lines (Collecting …, Installing …) show the progress; "Requirement already
  # satisfied" lines are left out.
  if ! .venv/bin/python -m pip install --disable-pip-version-check -e ".$1" \
      | { grep --line-buffered -v "^Requirement already satisfied" || true; }; then
    echo "setup: pip install failed (see above)" >&2
    exit 1
  fi
  echo "setup: compiling the translations"
  .venv/bin/pybabel -q compile -d coop/translations
  echo "setup: done"
}
