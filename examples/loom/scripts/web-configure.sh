#!/bin/sh
# CONFIGURE web: find the node that runs db in task.nodes and remember its address.
set -eu
db=$(gw-task --node-with db)
mkdir -p ../web
echo "$db" > ../web/db-address
echo "db_address=$db" >> "$GW_RESULT"
echo "web on $(gw-task hostname) will use the db at $db"
