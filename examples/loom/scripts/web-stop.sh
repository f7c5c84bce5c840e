#!/bin/sh
# STOP web: end the server started by web-start.sh and wait until it is gone.
set -u
pid=$(cat ../web/pid 2>/dev/null) || { echo "web was not running"; exit 0; }
kill "$pid" 2>/dev/null || true
while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
rm -f ../web/pid
echo "web stopped (pid $pid)"
