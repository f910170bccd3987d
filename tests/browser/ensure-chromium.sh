#!/usr/bin/env bash
# Makes sure Debian's `chromium` is installed (for the browser tests in tests/api/cors/browser.rs)
# and prints its path. Installs it with apt-get when it is missing; exits non-zero when it
# cannot, so the tests fail instead of skipping. Safe to run from several processes at once:
# the install runs under a lock, and apt waits for its own lock too.
set -euo pipefail

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

if [ -x "$CHROMIUM" ]; then
    echo "$CHROMIUM"
    exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo -n)
    else
        echo "ensure-chromium: $CHROMIUM is missing and installing it needs root (or sudo)" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
APT=(apt-get -y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0)

install() {
    "${SUDO[@]}" "${APT[@]}" install --no-install-recommends chromium >&2
}

LOCK=${TMPDIR:-/tmp}/glue-ensure-chromium.lock
exec 9>"$LOCK"
flock -w 900 9 || { echo "ensure-chromium: timed out waiting for $LOCK" >&2; exit 1; }

# Another process may have installed it while this one waited for the lock.
if [ ! -x "$CHROMIUM" ]; then
    echo "ensure-chromium: installing chromium with apt-get (first run only)" >&2
    # The package lists may be missing or stale (a fresh machine): update once and retry.
    if ! install; then
        "${SUDO[@]}" "${APT[@]}" update >&2
        install
    fi
fi

if [ ! -x "$CHROMIUM" ]; then
    echo "ensure-chromium: apt-get finished but $CHROMIUM is still missing" >&2
    exit 1
fi
echo "$CHROMIUM"
