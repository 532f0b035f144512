#!/bin/sh
# deps.sh ("make deps"): install what the tests need, where it is missing.
#
# Building kaipeer needs only a C compiler and make.  The tests also use
# Check and pkg-config (unit and integration suites), clang and libFuzzer
# (fuzzing), tcc, musl-gcc and bmake (portability), cppcheck and groff
# (lint), valgrind, ip(8) (the network-namespace test), Python's
# `cryptography` (the differential test of the primitives) and openssl
# (next to which `make bench` measures the cipher).  On Debian and
# Ubuntu this installs them with apt-get (through sudo when not root);
# elsewhere it names them.  Only Check is required: a test whose tool is
# missing says "skipped", it never passes silently.
need=
have() { command -v "$1" >/dev/null 2>&1; }
pkg-config --exists check 2>/dev/null || need="$need check"
have pkg-config || need="$need pkg-config"
have clang || need="$need clang"
[ -n "$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a \
    2>/dev/null)" ] || need="$need libclang-rt-14-dev"
have tcc || need="$need tcc"
have musl-gcc || need="$need musl-tools"
have bmake || need="$need bmake"
have cppcheck || need="$need cppcheck"
have groff || need="$need groff-base"
have valgrind || need="$need valgrind"
have ip || need="$need iproute2"
have python3 || need="$need python3"
python3 -c 'import cryptography' 2>/dev/null || need="$need python3-cryptography"
have openssl || need="$need openssl"
if [ -z "$need" ]; then
	echo "deps: everything the tests use is installed"
	exit 0
fi
if ! have apt-get; then
	echo "deps: please install:$need (Check is the one the tests cannot" \
	    "do without)" >&2
	pkg-config --exists check 2>/dev/null
	exit $?
fi
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "deps: installing$need"
$sudo apt-get update -qq || echo "deps: apt-get update failed" >&2
# shellcheck disable=SC2086
if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $need \
    >/dev/null; then
	# One by one, so that one missing package does not block the rest.
	for p in $need; do
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$p" \
		    >/dev/null || echo "deps: could not install $p" >&2
	done
fi
pkg-config --exists check || { echo "deps: Check is still missing" >&2; exit 1; }
echo "deps: done"
