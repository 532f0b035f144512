#!/bin/sh
# Run each test program given as an argument; print its output, then one
# closing line "N passed, N failed" counting programs.  Exit 1 if any failed.
passed=0
failed=0
for t in "$@"; do
	echo "== $t"
	if "./$t"; then
		passed=$((passed + 1))
	else
		echo "FAILED: $t"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
