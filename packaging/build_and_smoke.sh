#!/usr/bin/env bash
# Build the one-folder app with PyInstaller and smoke-test what was built.
#
#   bash packaging/build_and_smoke.sh            # build, then test
#   bash packaging/build_and_smoke.sh --no-build # test an existing build
#
# Output: build/pyinstaller/dist/parley/ (the folder to ship), build/pyinstaller/work/.
# Checks: `parley --version`; the bundled icons; the formula typesetter's child
# (`parley --math-worker`); `parley --smoke` offscreen (opens the main window); the same on
# a real X server when xvfb-run is installed; `parley key` against a real Secret Service
# when gnome-keyring and dbus-run-session are installed. Set PYTHON to choose the
# interpreter (default: python3). Exits non-zero on the first failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}
OUT=$ROOT/build/pyinstaller
APP=$OUT/dist/parley
EXE=$APP/parley
build=1
[ "${1:-}" = "--no-build" ] && build=0

say() { printf '== %s\n' "$*"; }
fail() { printf 'build_and_smoke: FAIL: %s\n' "$*" >&2; exit 1; }

cd "$ROOT"
version=$("$PYTHON" -c 'import sys; sys.path.insert(0, "."); from app import __version__; print(__version__)')

if [ $build = 1 ]; then
    if ! "$PYTHON" -c 'import PyInstaller' 2>/dev/null; then
        say "installing PyInstaller"
        "$PYTHON" -m pip install --quiet 'pyinstaller>=6'
    fi
    say "building Parley $version with PyInstaller $("$PYTHON" -c 'import PyInstaller; print(PyInstaller.__version__)')"
    start=$(date +%s)
    "$PYTHON" -m PyInstaller "$ROOT/packaging/parley.spec" --noconfirm --log-level WARN \
        --distpath "$OUT/dist" --workpath "$OUT/work"
    say "built in $(( $(date +%s) - start )) s"
fi
[ -x "$EXE" ] || fail "$EXE was not built"

home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT

say "parley --version"
out=$("$EXE" --version)
echo "$out"
[ "$out" = "parley $version" ] || fail "--version printed '$out', expected 'parley $version'"

say "bundled icons"
for size in 16 32 48 64 128 256 512; do
    icon=$APP/_internal/parley_resources/icons/hicolor/${size}x${size}/apps/parley.png
    [ -s "$icon" ] || fail "missing $icon"
done
[ -s "$APP/_internal/parley_resources/__init__.py" ] || fail "parley_resources is not importable"

say "formula typesetting child (parley --math-worker)"
math=$(printf '%s\n' '{"id": 1, "source": "$x^2$", "color": "#000000", "size": 16, "dpr": 1}' |
    timeout 60 "$EXE" --math-worker) || fail "--math-worker exited $?"
case "$math" in *'"svg"'*) ;; *) fail "--math-worker drew no formula: $math" ;; esac

say "parley --smoke (offscreen)"
QT_QPA_PLATFORM=offscreen PARLEY_HOME=$home/offscreen OPENROUTER_API_KEY=test-key \
    timeout 120 "$EXE" --smoke || fail "--smoke (offscreen) exited $?"

if command -v xvfb-run >/dev/null; then
    say "parley --smoke (X11 under xvfb-run)"
    # Unset the platform so Qt picks xcb: proves the bundled xcb plugin and its libraries load.
    env -u QT_QPA_PLATFORM PARLEY_HOME="$home/xcb" OPENROUTER_API_KEY=test-key \
        timeout 120 xvfb-run -a "$EXE" --smoke || fail "--smoke (xcb) exited $?"
else
    say "skipped the X11 smoke run: xvfb-run is not installed (Debian: xvfb xauth)"
fi

if command -v gnome-keyring-daemon >/dev/null && command -v dbus-run-session >/dev/null; then
    say "parley key set/status/delete against a private GNOME Keyring"
    # The frozen app must find keyring's Secret Service backend (entry points + metadata).
    PARLEY_HOME=$home/keyring EXE=$EXE timeout 120 dbus-run-session -- sh -c '
        printf pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
        printf "sk-or-smoke-test\n" | "$EXE" key set >/dev/null &&
        "$EXE" key status | tee /dev/stderr | grep -q "stored in the system keychain" &&
        "$EXE" key delete >/dev/null' 2>&1 | grep -v "fd limit" \
        || fail "the frozen app could not use the Secret Service keychain"
else
    say "skipped the keychain check: gnome-keyring or dbus-run-session is not installed"
fi

size=$(du -sh "$APP" | cut -f1)
say "OK: $APP ($size)"
