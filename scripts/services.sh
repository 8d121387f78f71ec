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

# -- PostgreSQL: the core's PostgreSQL store tests and benchmarks/store_write.py start a throwaway
# server on loopback (webleads_core/store/pg_local.py) with initdb/pg_ctl; they only need the binaries.
# Idempotent: does nothing when initdb and postgres are found (PATH, /usr/local/bin, /usr/lib/postgresql/*/bin).
pg_found=""
for d in "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")" /usr/local/bin /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/postgres" ]; then pg_found="$d"; break; fi
done
if [ -n "$pg_found" ]; then
    echo "services: postgresql present ($pg_found)"
else
    echo "services: installing postgresql (Debian package)"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql
fi
