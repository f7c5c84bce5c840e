#!/bin/sh
# START web: an HTTP server on this node's address, port $1, that tells where its db is.
set -eu
addr=$(gw-task config.ipaddress)
port=${1:-8080}
db=$(cat ../web/db-address)
db_port=5433
if [ -f ../web/pid ] && kill -0 "$(cat ../web/pid)" 2>/dev/null; then
  echo "web already running (pid $(cat ../web/pid))"
else
  setsid python3 ./web-server.py "$addr" "$port" "$db" "$db_port" > ../web/server.log 2>&1 < /dev/null &
  echo $! > ../web/pid
fi
python3 ./wait-port.py "$addr" "$port"
echo "url=http://$addr:$port/" >> "$GW_RESULT"
echo "web listening on http://$addr:$port/ (pid $(cat ../web/pid)), db at $db:$db_port"
