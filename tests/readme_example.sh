#!/bin/sh
# The README's embedding example must be examples/greet.c, which the
# integration suite builds and runs: a listing that drifted would teach a
# program nobody tests.
cd "$(dirname "$0")/.." || exit 1
listing=$(awk '/<!-- example: examples\/greet.c -->/ { on = 1; next }
	on && /^```c$/ { copy = 1; next }
	copy && /^```$/ { exit }
	copy { print }' README.md)
if [ -z "$listing" ]; then
	echo "readme_example: no example listing found in README.md"
	exit 1
fi
if printf '%s\n' "$listing" | diff -u examples/greet.c -; then
	echo "readme_example: README.md shows examples/greet.c exactly"
else
	echo "readme_example: README.md and examples/greet.c differ"
	exit 1
fi
