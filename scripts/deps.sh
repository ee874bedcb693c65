#!/bin/sh
# Installs the Debian packages Sluice needs to build, test and run, when any is missing.
set -e
PKGS="gcc make pkg-config librdkafka-dev libmicrohttpd-dev libjansson-dev libcurl4-openssl-dev
libcmocka-dev python3 python3-pytest python3-pytest-xdist kcat libpcre2-dev libssl-dev procps curl
postgresql libpq-dev libavro-dev python3-avro openssl libgnutls28-dev"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
