#!/bin/sh
# Make sure nginx is installed, for the cluster example's load balancer.
# Installs Debian's nginx (root only) without starting the system service: the
# example runs nginx in the foreground from a config in a folder of its own.
set -eu
exec sh "$(dirname "$0")/lib/apt-ensure.sh" ensure-nginx /usr/sbin/nginx nginx
