#!/bin/sh
# valgrind.sh: the unit suites, the integration suite, the secured
# links' suite and the network-of-nodes suite once under valgrind, which
# must report nothing.
#
# The unit suites are rebuilt without sanitizers (valgrind and ASan do not
# mix) in a scratch directory and run in one process each (CK_FORK=no).
# The three suites run their kaipeer processes under valgrind through
# the harness's KAIPEER_WRAP; valgrind marks each error it prints, and the
# harness fails the test that saw one.  Without valgrind installed it says
# so and skips.  Closes with "N passed, N failed".
cd "$(dirname "$0")/.." || exit 1
if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind: skipped: not installed (apt-get install valgrind)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/kaipeer-vg.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
cc=${CC:-cc}
flags="-std=c99 -D_POSIX_C_SOURCE=200809L -Iinclude -O1 -g"
libs=$(pkg-config --cflags --libs check 2>/dev/null || echo -lcheck)
vg="valgrind -q --error-exitcode=99 --leak-check=full"
vg="$vg --errors-for-leak-kinds=definite,indirect --track-fds=no"
passed=0
failed=0

unit() {
	name=$1; shift
	# shellcheck disable=SC2086
	if ! $cc $flags -o "$scratch/$name" "$@" $libs; then
		echo "FAILED: building $name"; failed=$((failed + 1)); return
	fi
	if CK_FORK=no $vg "$scratch/$name" >"$scratch/$name.log" 2>&1; then
		tail -n 1 "$scratch/$name.log"
		echo "ok: $name under valgrind"; passed=$((passed + 1))
	else
		cat "$scratch/$name.log"
		echo "FAILED: $name under valgrind"; failed=$((failed + 1))
	fi
}
unit check_json tests/check_json.c json.c confread.c conftrust.c config.c \
    console.c words.c select.c base64.c
unit check_calc tests/check_calc.c calc.c
unit check_proto tests/check_proto.c proto.c
unit check_frames tests/check_frames.c frames.c proto.c
unit check_beacon tests/check_beacon.c beacon.c loop.c random.c
unit check_console tests/check_console.c console.c words.c select.c
unit check_chain tests/check_chain.c chain.c words.c select.c
unit check_loop tests/check_loop.c loop.c map.c
unit check_output tests/check_output.c output.c loop.c
unit check_proc tests/check_proc.c proc.c loop.c map.c
crypto="ct.c sha256.c chacha20.c poly1305.c aead.c x25519.c"
# shellcheck disable=SC2086
unit check_crypto tests/check_crypto.c $crypto json.c
# shellcheck disable=SC2086
unit check_x25519 tests/check_x25519.c $crypto json.c
# shellcheck disable=SC2086
unit check_noise tests/check_noise.c noise.c seal.c base64.c keys.c \
    random.c loop.c map.c $crypto json.c
unit check_edit tests/check_edit.c edit.c
# shellcheck disable=SC2086
unit check_library tests/check_library.c json.c confread.c conftrust.c \
    config.c words.c select.c chain.c console.c calc.c proto.c frames.c \
    map.c addr.c base64.c edit.c $crypto noise.c seal.c random.c keys.c \
    loop.c output.c net.c resolve.c session.c secure.c table.c guard.c \
    beacon.c peers.c request.c command.c builtin.c proc.c exec.c pick.c \
    relay.c discover.c fanout.c node.c nodecfg.c report.c admin.c shell.c \
    script.c term.c repl.c cli.c

make -s kaipeer examples/greet examples/ask tests/check_integration \
    tests/check_secure tests/check_mesh >/dev/null || exit 1
# The suites that drive nodes: everyday links, secured ones, a network.
for suite in integration secure mesh; do
	if KAIPEER_BIN=./kaipeer KAIPEER_WRAP="$vg --error-markers=KAIPEER-VALGRIND-ERROR,KAIPEER-VALGRIND-END" \
	    "./tests/check_$suite" >"$scratch/$suite.log" 2>&1; then
		grep '^[0-9]*%' "$scratch/$suite.log"
		echo "ok: $suite suite with kaipeer under valgrind"
		passed=$((passed + 1))
	else
		cat "$scratch/$suite.log"
		echo "FAILED: $suite suite with kaipeer under valgrind"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
