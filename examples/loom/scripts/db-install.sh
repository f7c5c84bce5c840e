#!/bin/sh
# INSTALL db: make its data folder (beside the scripts, under the automator's folder for this node).
set -eu
mkdir -p ../db
echo "db installed on $(gw-task hostname) in $(cd ../db && pwd)"
