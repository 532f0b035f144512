#!/bin/sh
# Install what the tests need (Check and pkg-config) when it is missing.
# Uses apt-get on Debian and Ubuntu; elsewhere says what to install.
if pkg-config --exists check 2>/dev/null; then
	echo "deps: Check $(pkg-config --modversion check) is installed"
	exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: please install Check (libcheck) and pkg-config with your" \
	    "package manager, e.g. 'brew install check pkg-config'," \
	    "'pkg install check pkgconf'" >&2
	exit 1
fi
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "deps: installing check and pkg-config with apt-get"
$sudo apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq check pkg-config
