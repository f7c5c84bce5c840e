#!/bin/sh
# STOP db: end the server started by db-start.sh and wait until it is gone.
set -u
pid=$(cat ../db/pid 2>/dev/null) || { echo "db was not running"; exit 0; }
kill "$pid" 2>/dev/null || true
while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
rm -f ../db/pid
echo "db stopped (pid $pid)"
