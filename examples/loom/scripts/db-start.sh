#!/bin/sh
# START db: a tiny TCP server on this node's address, port $1, in the background; its pid in ../db/pid.
set -eu
addr=$(gw-task config.ipaddress)
port=${1:-5433}
if [ -f ../db/pid ] && kill -0 "$(cat ../db/pid)" 2>/dev/null; then
  echo "db already running (pid $(cat ../db/pid))"
else
  setsid python3 ./db-server.py "$addr" "$port" > ../db/server.log 2>&1 < /dev/null &
  echo $! > ../db/pid
fi
python3 ./wait-port.py "$addr" "$port"
echo "db_port=$port" >> "$GW_RESULT"
echo "db listening on $addr:$port (pid $(cat ../db/pid))"
