#!/bin/sh
# Make sure OpenSSH's sshd is installed, for the transport and netns tests.
# Quiet and idempotent when /usr/sbin/sshd exists; installs openssh-server
# (root only) without starting the system service.
set -eu
# GROUNDWORK_SSHD only exists for this script's own tests.
exec sh "$(dirname "$0")/lib/apt-ensure.sh" ensure-sshd "${GROUNDWORK_SSHD:-/usr/sbin/sshd}" openssh-server
