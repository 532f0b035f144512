#!/bin/sh
# fuzz/run.sh: build the libFuzzer targets and run each for a while.
#
#   sh fuzz/run.sh [seconds [target...]]     (make fuzz runs it)
#
# Contract.  Builds fuzz/fuzz_<target>.c with the pure module it tests into
# fuzz/bin/ (not tracked), under AddressSanitizer and UBSan, and runs each
# target for seconds (default 20) on a scratch copy of fuzz/corpus/<target>,
# so the checked-in seeds are never changed.  Targets are json, proto,
# frames, calc, console, noise, seal and beacon unless named.  Prints one line per
# target and then "N passed, N failed"; exits 1 if any target crashed,
# failed a property or did not build, leaving the reproducer under
# fuzz/bin/crashes/ and the log in fuzz/bin/<target>.log.  Without clang
# and libFuzzer (tried by building an empty fuzzer) it says it skipped and
# exits 0: CI installs clang.  CLANG names another compiler.

secs=${1:-20}
case $secs in
''|*[!0-9]*|0)
	echo "usage: sh fuzz/run.sh [seconds [json|proto|frames|calc|console|noise|seal|beacon ...]]" >&2
	exit 2
	;;
esac
[ $# -gt 0 ] && shift
targets=${*:-json proto frames calc console noise seal beacon}

cd "$(dirname "$0")/.." || exit 2

CLANG=${CLANG:-clang}
FLAGS="-std=c99 -D_POSIX_C_SOURCE=200809L -Iinclude -g -O1 \
-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
WARN="-Wall -Wextra -pedantic"
BIN=fuzz/bin
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export UBSAN_OPTIONS

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kaipeer-fuzz.XXXXXX" 2>/dev/null) || {
	tmp=${TMPDIR:-/tmp}/kaipeer-fuzz.$$
	mkdir -m 700 "$tmp" || exit 2
}
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

cat >"$tmp/probe.c" <<'EOF'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)data;
	(void)size;
	return 0;
}
EOF
# shellcheck disable=SC2086	# FLAGS is a list of words
if ! $CLANG $FLAGS -o "$tmp/probe" "$tmp/probe.c" >/dev/null 2>&1; then
	echo "fuzz: skipped: clang with libFuzzer is not available" \
	    "(apt-get install clang libclang-rt-14-dev)"
	exit 0
fi

mkdir -p "$BIN/crashes" || exit 2
passed=0
failed=0

for t in $targets; do
	case $t in
	json)	srcs="json.c confread.c conftrust.c config.c console.c words.c
		    select.c base64.c" ;;
	proto)	srcs="proto.c" ;;
	frames)	srcs="frames.c proto.c" ;;
	beacon)	srcs="beacon.c loop.c random.c" ;;
	calc)	srcs="calc.c" ;;
	console) srcs="console.c words.c select.c chain.c" ;;
	noise)	srcs="noise.c ct.c sha256.c chacha20.c poly1305.c aead.c x25519.c" ;;
	seal)	srcs="seal.c noise.c ct.c sha256.c chacha20.c poly1305.c aead.c
		    x25519.c" ;;
	*)	echo "fuzz: unknown target '$t'" >&2; exit 2 ;;
	esac
	name=fuzz_$t
	log=$BIN/$t.log

	# shellcheck disable=SC2086
	if ! $CLANG $FLAGS $WARN -o "$BIN/$name" "fuzz/$name.c" $srcs; then
		echo "$name: FAILED: does not build"
		failed=$((failed + 1))
		continue
	fi

	work=$tmp/corpus-$t
	mkdir "$work" && cp fuzz/corpus/"$t"/* "$work"/ || exit 2
	seeds=$(find "$work" -type f | wc -l | tr -d ' ')
	dict=
	[ -f "fuzz/$t.dict" ] && dict=-dict=fuzz/$t.dict

	# shellcheck disable=SC2086
	"$BIN/$name" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 \
	    -max_len=4096 -print_final_stats=1 \
	    -artifact_prefix="$BIN/crashes/$t-" $dict "$work" >"$log" 2>&1
	rc=$?

	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
	    tail -n 1)
	[ -n "$runs" ] ||
	    runs=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
	corpus=$(find "$work" -type f | wc -l | tr -d ' ')
	repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" |
	    tail -n 1)

	if [ "$rc" -eq 0 ] && [ -z "$repro" ]; then
		echo "$name: passed: ${runs:-?} runs in $secs s," \
		    "corpus $corpus inputs ($seeds seeds)"
		passed=$((passed + 1))
	else
		what=$(grep -e '^SUMMARY:' -e 'property failed' \
		    -e 'runtime error' "$log" | head -n 1)
		echo "$name: FAILED (exit $rc) after ${runs:-0} runs:" \
		    "${what:-see the log}"
		echo "$name:   reproducer: ${repro:-none written}"
		echo "$name:   log: $log; reproduce with: $BIN/$name" \
		    "${repro:-<input>}"
		failed=$((failed + 1))
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
