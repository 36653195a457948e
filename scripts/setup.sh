#!/usr/bin/env bash
# Set up everything the project needs on a fresh Debian/Ubuntu machine:
#   1. system packages: Chromium (prints the PDFs; also the accessibility checks), Open Sans (the report
#      typeface), poppler-utils (PDF text for the disclosure audit and the checks), a Java runtime (Nu Html
#      Checker) and Node.js/npm (reveal.js for the slides, the check tools) - the last two only when no `java`
#      or `npm` is installed yet,
#   2. a virtual environment in .venv with the package and its test extras,
#   3. the Node packages in node_modules (reveal.js, axe-core, playwright-core, vnu-jar), exact versions from
#      package-lock.json.
# Safe to run repeatedly: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(chromium fonts-open-sans poppler-utils)
# Any java or npm already on the PATH will do (e.g. a JDK or a Node.js from elsewhere).
command -v java >/dev/null || SYSTEM_PACKAGES+=(default-jre-headless)
command -v npm >/dev/null || SYSTEM_PACKAGES+=(nodejs npm)
PYTHON=${PYTHON:-python3}

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "setup: installing system packages: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "setup: missing system packages; run this once, then try again:" >&2
        echo "    sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
fi

stamp=.venv/.installed
wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    echo "setup: creating .venv and installing the package (a few minutes the first time)"
    [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e '.[test]'
    echo "$wanted" > "$stamp"
fi

# --ignore-scripts: vnu-jar's install script would download a Java runtime; the system's java is used instead.
npm_stamp=node_modules/.installed
npm_wanted=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$npm_stamp" ] || [ "$(cat "$npm_stamp")" != "$npm_wanted" ]; then
    echo "setup: installing the Node packages from package-lock.json (npm ci)"
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    echo "$npm_wanted" > "$npm_stamp"
fi
