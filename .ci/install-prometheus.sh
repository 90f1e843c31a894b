#!/usr/bin/env bash
# Installs Debian's Prometheus (prometheus + promtool) for the metrics tests:
# test/integration/metrics-endpoint.int-spec.ts (promtool check metrics) and
# test/integration/prometheus-dashboards.int-spec.ts (every dashboard query against a real Prometheus).
# The tests start their own Prometheus on 127.0.0.1; the packaged service is not needed, so it is stopped.
# Without the package those tests say so and skip.
set -euo pipefail
if [ -x /usr/bin/prometheus ] && [ -x /usr/bin/promtool ]; then
  echo "prometheus already installed: $(/usr/bin/prometheus --version 2>&1 | head -1)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "apt-get not available: Prometheus not installed; the Prometheus tests will skip" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
# policy-rc.d keeps the package's own service from starting (the tests start theirs on a free port).
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
if $SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null; then
  echo "installed: $(/usr/bin/prometheus --version 2>&1 | head -1)"
else
  echo "apt-get install prometheus failed: the Prometheus tests will skip" >&2
fi
