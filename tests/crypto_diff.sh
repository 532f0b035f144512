#!/bin/sh
# crypto_diff.sh: run tests/crypto_diff.py (our primitives against Python's
# `cryptography`) when python3 is here; "skipped" otherwise.
cd "$(dirname "$0")/.." || exit 2
if ! command -v python3 >/dev/null 2>&1; then
	echo "crypto_diff: skipped: python3 is not installed"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
exec python3 tests/crypto_diff.py tests/crypto_tool "${CRYPTO_CASES:-300}"
