#!/usr/bin/env bash
# Installs and prepares the system services that plugin tests need (Dovecot, PostgreSQL, ...).
# Each plugin that needs a service adds its block here; tests start and stop their own servers
# on loopback, this script only makes sure the binaries exist. The core needs none.
set -euo pipefail
echo "services: nothing to install for the core"
