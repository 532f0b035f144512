#!/bin/sh
# run.sh [-j N] test...: run each test program or script given as an
# argument, show its output, and close with one line "N passed, N failed,
# N skipped" counting them.  A test that exits 0 but whose last line says
# it skipped everything ("0 passed, 0 failed, 1 skipped") counts as
# skipped, not passed.  Exit 1 if any failed.
#
# With -j N, N tests run at once (the suites mostly wait on processes and
# timers, not on the CPU); each test's output is shown whole when it ends,
# so lines of two tests never mix.  Without it, one at a time, the output
# shown as it comes.
jobs=1
if [ "${1:-}" = "-j" ]; then
	jobs=${2:-1}
	shift 2
fi
case $jobs in ''|*[!0-9]*|0) echo "run.sh: -j needs a number" >&2; exit 2 ;; esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kaipeer-run.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

ntests=0
for t in "$@"; do
	ntests=$((ntests + 1))
	printf '%s\n' "$t" >"$tmp/test.$ntests"
done
echo 1 >"$tmp/next"

# Run test number i: its output in out.i (shown as it comes with -j 1),
# its exit status in rc.i.
run_one() {
	t=$(cat "$tmp/test.$1")
	case $t in
	*.sh)	run="sh ./$t" ;;
	*)	run="./$t" ;;
	esac
	if [ "$jobs" -eq 1 ]; then
		echo "== $t"
		{ $run 2>&1; echo $? >"$tmp/rc.$1"; } | tee "$tmp/out.$1"
	else
		{ $run 2>&1; echo $? >"$tmp/rc.$1"; } >"$tmp/out.$1"
		# One write of the whole block, so lanes do not interleave.
		{ echo "== $t"; cat "$tmp/out.$1"; } >"$tmp/show.$1"
		cat "$tmp/show.$1"
	fi
	[ "$(cat "$tmp/rc.$1")" -eq 0 ] || echo "FAILED: $t"
}

# The next test number to run, taken under a lock (mkdir is atomic).
take() {
	while ! mkdir "$tmp/lock" 2>/dev/null; do
		sleep 0.01
	done
	i=$(cat "$tmp/next")
	echo $((i + 1)) >"$tmp/next"
	rmdir "$tmp/lock"
	echo "$i"
}

lane() {
	while :; do
		i=$(take)
		[ "$i" -le "$ntests" ] || return 0
		run_one "$i"
	done
}

if [ "$jobs" -eq 1 ]; then
	lane
else
	k=0
	while [ "$k" -lt "$jobs" ]; do
		lane &
		k=$((k + 1))
	done
	wait
fi

passed=0
failed=0
skipped=0
i=1
while [ "$i" -le "$ntests" ]; do
	if [ "$(cat "$tmp/rc.$i" 2>/dev/null || echo 1)" -eq 0 ]; then
		if tail -n 1 "$tmp/out.$i" |
		    grep -q '^0 passed, 0 failed, [1-9][0-9]* skipped'; then
			skipped=$((skipped + 1))
		else
			passed=$((passed + 1))
		fi
	else
		failed=$((failed + 1))
	fi
	i=$((i + 1))
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
