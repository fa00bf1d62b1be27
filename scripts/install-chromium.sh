#!/usr/bin/env bash
# Debian's Chromium for the browser test (e2e/browser.test.mjs drives it with playwright-core;
# no browser download: the machine reaches only the npm registry and Debian's packages).
# Idempotent and quiet: does nothing when /usr/bin/chromium already runs.
set -euo pipefail

if [ -x /usr/bin/chromium ] && /usr/bin/chromium --version >/dev/null 2>&1; then
	echo "chromium: $(/usr/bin/chromium --version 2>/dev/null) (already installed)"
	exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
start=$(date +%s)
log=$(mktemp)
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation; } >"$log" 2>&1; then
	cat "$log" >&2
	rm -f "$log"
	echo "chromium: apt-get install failed" >&2
	exit 1
fi
rm -f "$log"
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null) installed in $(( $(date +%s) - start ))s"
