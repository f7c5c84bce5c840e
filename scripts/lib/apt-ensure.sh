#!/bin/sh
# Shared by the ensure-*.sh scripts: make sure BINARY exists, installing PACKAGES
# from Debian's archive with apt-get when it is missing (root only), without
# starting any system service. Quiet and idempotent when BINARY exists.
#   apt-ensure.sh NAME BINARY PACKAGE...
set -eu
name=$1 binary=$2
shift 2

[ -x "$binary" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "$name: $binary is missing and this is not root; install it with: sudo apt-get install -y $*" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "$name: $binary is missing and apt-get is not available; install $* by hand" >&2
  exit 1
fi

# policy-rc.d answering 101 keeps the package scripts from starting the system service.
POLICY=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$POLICY"
  chmod 755 "$POLICY"
  created_policy=1
fi
log=$(mktemp)
cleanup() {
  if [ "$created_policy" -eq 1 ]; then rm -f "$POLICY"; fi
  rm -f "$log"
}
trap cleanup EXIT

if ! { DEBIAN_FRONTEND=noninteractive apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "$name: installing $* failed (see the apt-get output above)" >&2
  exit 1
fi
[ -x "$binary" ] || { echo "$name: $* installed but $binary is still missing" >&2; exit 1; }
