#!/bin/sh
# Make sure OpenSSH's sshd is installed, for the transport and netns tests.
# Quiet and idempotent when /usr/sbin/sshd exists. Installs openssh-server with
# apt-get when it is missing (root only) without starting the system service.
set -eu

# GROUNDWORK_SSHD only exists for this script's own tests.
SSHD=${GROUNDWORK_SSHD:-/usr/sbin/sshd}
[ -x "$SSHD" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-sshd: $SSHD is missing and this is not root; install it with: sudo apt-get install -y openssh-server" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-sshd: $SSHD is missing and apt-get is not available; install OpenSSH's sshd by hand" >&2
  exit 1
fi

# policy-rc.d answering 101 keeps the package scripts from starting the system sshd.
POLICY=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$POLICY"
  chmod 755 "$POLICY"
  created_policy=1
fi
cleanup() { if [ "$created_policy" -eq 1 ]; then rm -f "$POLICY"; fi; }
trap cleanup EXIT

log=$(mktemp)
if ! { DEBIAN_FRONTEND=noninteractive apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends openssh-server; } >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  echo "ensure-sshd: installing openssh-server failed (see the apt-get output above)" >&2
  exit 1
fi
rm -f "$log"
[ -x "$SSHD" ] || { echo "ensure-sshd: openssh-server installed but $SSHD is still missing" >&2; exit 1; }
