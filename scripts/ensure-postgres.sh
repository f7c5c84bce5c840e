#!/bin/sh
# Make sure PostgreSQL 15's server binaries (initdb, pg_ctl, postgres) are
# installed, for the cluster example and the PostgreSQL state/worker tests.
# Installs Debian's postgresql-15 (root only) without creating or starting the
# system cluster: tests make throwaway clusters of their own with initdb.
# Prints nothing when they are there; the binaries are in /usr/lib/postgresql/15/bin.
set -eu
BIN=/usr/lib/postgresql/15/bin
[ -x "$BIN/initdb" ] && [ -x "$BIN/pg_ctl" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  # Debian's postinst would create and start a "main" cluster; say no before it runs.
  mkdir -p /etc/postgresql-common/createcluster.d
  echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/groundwork.conf
fi
exec sh "$(dirname "$0")/lib/apt-ensure.sh" ensure-postgres "$BIN/initdb" postgresql-15
