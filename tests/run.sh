#!/bin/sh
# run.sh: run each test program or script given as an argument, show its
# output, and close with one line "N passed, N failed, N skipped" counting
# them.  A test that exits 0 but whose last line says it skipped everything
# ("0 passed, 0 failed, 1 skipped") counts as skipped, not passed.  Exit 1
# if any failed.
passed=0
failed=0
skipped=0
log=$(mktemp "${TMPDIR:-/tmp}/kaipeer-run.XXXXXX") || exit 1
trap 'rm -f "$log" "$log.rc"' EXIT
for t in "$@"; do
	echo "== $t"
	case $t in
	*.sh)	run="sh ./$t" ;;
	*)	run="./$t" ;;
	esac
	# Shown as it runs, kept to read the closing line.
	{ $run 2>&1; echo $? >"$log.rc"; } | tee "$log"
	if [ "$(cat "$log.rc")" -eq 0 ]; then
		if tail -n 1 "$log" | grep -q '^0 passed, 0 failed, [1-9][0-9]* skipped'; then
			skipped=$((skipped + 1))
		else
			passed=$((passed + 1))
		fi
	else
		echo "FAILED: $t"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
