#!/usr/bin/env bash
# Installs and prepares the system services that plugin tests need (Dovecot, PostgreSQL, ...).
# Each plugin that needs a service adds its block here; tests start and stop their own servers
# on loopback, this script only makes sure the binaries exist. The core needs none.
set -euo pipefail
echo "services: nothing to install for the core"

# -- Dovecot: webleads-imap's tests and benchmark start their own on loopback ports ----------
# Idempotent: does nothing when dovecot is already installed.
if command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ]; then
    echo "services: dovecot present"
else
    echo "services: installing dovecot-imapd (Debian package)"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends dovecot-imapd
fi

# -- Chromium: webleads-serve's browser tests drive Debian's headless chromium through chromedriver --
# Idempotent: does nothing when /usr/bin/chromium and /usr/bin/chromedriver are already there.
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    echo "services: chromium present"
else
    echo "services: installing chromium and chromium-driver (Debian packages)"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium chromium-driver
fi
