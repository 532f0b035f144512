#!/bin/sh
# portability.sh: kaipeer builds without a warning with every compiler and
# make at hand (gcc, clang, tcc, musl-gcc as a static binary; GNU make and
# bmake), each build runs, cppcheck and groff find nothing, and
# "make install"/"make uninstall" honour PREFIX and DESTDIR.
#
# Each build happens in a scratch copy of the tree, so it never disturbs
# the working build.  A compiler or make that is not installed is reported
# as skipped ("make deps" installs them all on Debian).  Closes with
# "N passed, N failed, N skipped".
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/kaipeer-port.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
passed=0
failed=0
skipped=0

pass() { echo "ok: $1"; passed=$((passed + 1)); }
fail() { echo "FAILED: $1"; failed=$((failed + 1)); }
skip() { echo "skipped: $1"; skipped=$((skipped + 1)); }

# build MAKE CC [LDFLAGS]: a clean build, no warning, a working binary.
build() {
	mk=$1 cc=$2 ld=${3:-}
	name="$mk CC=$cc${ld:+ LDFLAGS=$ld}"
	if ! command -v "$mk" >/dev/null 2>&1; then skip "$name: no $mk"; return; fi
	if ! command -v "$cc" >/dev/null 2>&1; then skip "$name: no $cc"; return; fi
	dir="$scratch/$mk-$cc"
	mkdir -p "$dir"
	cp -R Makefile ./*.c include examples "$dir/"
	if ! (cd "$dir" && "$mk" CC="$cc" LDFLAGS="$ld" >build.log 2>&1); then
		fail "$name: build failed"; cat "$dir/build.log"; return
	fi
	if grep -i 'warning' "$dir/build.log"; then
		fail "$name: compiler warnings"; return
	fi
	out=$(cd "$dir" && ./kaipeer -q -c 'calc 6*7' 2>&1)
	if [ "$out" != "Result: 42" ]; then
		fail "$name: ./kaipeer -c 'calc 6*7' printed '$out'"; return
	fi
	if [ -n "$ld" ] && ldd "$dir/kaipeer" >/dev/null 2>&1; then
		fail "$name: kaipeer is not a static binary"; return
	fi
	pass "$name"
}

for mk in make bmake; do
	for cc in gcc clang tcc; do
		build "$mk" "$cc"
	done
	build "$mk" musl-gcc -static
done

# The Makefile honours what it says may be overridden: CFLAGS reaches the
# link lines too (so a sanitizer build links), AR makes the library, and
# targets named like a folder (fuzz) still run.
dir="$scratch/flags"
mkdir -p "$dir"
cp -R Makefile ./*.c include examples fuzz "$dir/"
if (cd "$dir" && make CFLAGS="-O1 -g -fsanitize=address -fno-omit-frame-pointer" \
    kaipeer kaipeer-bench >build.log 2>&1) &&
    [ "$(cd "$dir" && ASAN_OPTIONS=detect_leaks=0 ./kaipeer -q -c 'calc 6*7' 2>&1)" = \
    "Result: 42" ]; then
	pass "make CFLAGS=-fsanitize=address: compiles and links"
else
	fail "make CFLAGS=-fsanitize=address"; cat "$dir/build.log"
fi
if (cd "$dir" && make clean >/dev/null 2>&1 &&
    ! make AR=false libkaipeer.a >/dev/null 2>&1); then
	pass "make AR=...: the library is made with \$(AR)"
else
	fail "make AR=false still made the library"
fi
if (cd "$dir" && make -n fuzz 2>&1 | grep -q 'up to date'); then
	fail "make fuzz: the target is taken for the fuzz/ folder"
else
	pass "make fuzz runs (not 'up to date')"
fi

if command -v cppcheck >/dev/null 2>&1; then
	if cppcheck --enable=warning,performance,portability --std=c99 \
	    --error-exitcode=1 --quiet -Iinclude -D_POSIX_C_SOURCE=200809L \
	    ./*.c examples/*.c; then
		pass "cppcheck"
	else
		fail "cppcheck"
	fi
else
	skip "cppcheck: not installed"
fi

if command -v groff >/dev/null 2>&1; then
	for page in man/kaipeer.1 man/kaipeer.json.5; do
		msgs=$(groff -man -ww -z "$page" 2>&1)
		if [ -z "$msgs" ]; then pass "groff $page"; else
			fail "groff $page"; echo "$msgs"; fi
	done
else
	skip "groff: not installed"
fi

# install and uninstall into a staging directory.
stage="$scratch/stage"
files="bin/kaipeer bin/kaipeer-bench lib/libkaipeer.a include/kaipeer.h
share/man/man1/kaipeer.1 share/man/man5/kaipeer.json.5
lib/pkgconfig/kaipeer.pc lib/systemd/system/kaipeer.service
share/bash-completion/completions/kaipeer"
if make -s install DESTDIR="$stage" PREFIX=/opt/kp >"$scratch/install.log" 2>&1; then
	missing=
	for f in $files; do
		[ -f "$stage/opt/kp/$f" ] || missing="$missing $f"
	done
	if [ -z "$missing" ]; then pass "make install DESTDIR PREFIX"; else
		fail "make install: missing$missing"; fi
	make -s uninstall DESTDIR="$stage" PREFIX=/opt/kp >/dev/null 2>&1
	left=$(find "$stage" -type f | head -5)
	if [ -z "$left" ]; then pass "make uninstall"; else
		fail "make uninstall left $left"; fi
else
	fail "make install"; cat "$scratch/install.log"
fi

# A program built against the installed header and library.
if make -s install DESTDIR="$stage" PREFIX=/opt/kp >/dev/null 2>&1 &&
    cc -I"$stage/opt/kp/include" -o "$scratch/greet" examples/greet.c \
    "$stage/opt/kp/lib/libkaipeer.a" 2>"$scratch/link.log" &&
    [ "$(cd "$scratch" && ./greet -q -c 'calc 1+2')" = "Result: 3" ]; then
	pass "embedding the installed libkaipeer.a"
else
	fail "embedding the installed libkaipeer.a"; cat "$scratch/link.log"
fi

# The same through pkg-config, and the service's paths.
if command -v pkg-config >/dev/null 2>&1; then
	pc=$stage/opt/kp/lib/pkgconfig
	# shellcheck disable=SC2046	# the words pkg-config gives
	if cc $(PKG_CONFIG_SYSROOT_DIR="$stage" PKG_CONFIG_PATH="$pc" \
	    pkg-config --cflags kaipeer) -o "$scratch/greet2" \
	    examples/greet.c $(PKG_CONFIG_SYSROOT_DIR="$stage" \
	    PKG_CONFIG_PATH="$pc" pkg-config --libs kaipeer) \
	    2>"$scratch/pc.log" &&
	    [ "$(cd "$scratch" && ./greet2 -q -c 'calc 1+2')" = "Result: 3" ] &&
	    grep -q '^Version: [0-9]' "$pc/kaipeer.pc"; then
		pass "cc \$(pkg-config --cflags --libs kaipeer)"
	else
		fail "pkg-config kaipeer"; cat "$scratch/pc.log" "$pc/kaipeer.pc"
	fi
else
	skip "pkg-config: not installed"
fi
unit=$stage/opt/kp/lib/systemd/system/kaipeer.service
if grep -q '^ExecStart=/opt/kp/bin/kaipeer -n ' "$unit" &&
    grep -q '^ExecReload=/bin/kill -HUP \$MAINPID' "$unit" &&
    grep -q '^Restart=on-failure' "$unit" &&
    ! grep -q '@PREFIX@' "$unit"; then
	pass "kaipeer.service: -n, reload by SIGHUP, restart on failure"
else
	fail "kaipeer.service"; cat "$unit"
fi
if command -v bash >/dev/null 2>&1 && bash -c ". \"$stage/opt/kp/share/bash-completion/completions/kaipeer\" &&
    COMP_WORDS=(kaipeer --gen); COMP_CWORD=1; _kaipeer &&
    [ \"\${COMPREPLY[*]}\" = --genkey ]"; then
	pass "bash completion"
else
	fail "bash completion"
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
