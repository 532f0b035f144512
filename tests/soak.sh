#!/bin/sh
# soak.sh: 8 peers each send 100,000 commands to one node, up to 64 in
# flight each, all at the same time; then again, SOAK_ROUNDS times (3).
# Passes when
#   - every command gets exactly one result, and the right one: each
#     kaipeer-bench checks every RESULT against its request id and the
#     expected text, and fails on a missing, extra or wrong one;
#   - the node counts exactly that many commands served ("system status");
#   - the node's resident memory stops growing after the warm-up: after the
#     last round it is at most 1 MiB above what it was after the first.
# SOAK_PEERS, SOAK_COMMANDS, SOAK_DEPTH and SOAK_ROUNDS change the load.
# Prints the figures and closes with "N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 1
peers=${SOAK_PEERS:-8}
commands=${SOAK_COMMANDS:-100000}
depth=${SOAK_DEPTH:-64}
rounds=${SOAK_ROUNDS:-3}
port=${SOAK_PORT:-14801}
dir=$(mktemp -d "${TMPDIR:-/tmp}/kaipeer-soak.XXXXXX") || exit 1
node= benches=
cleanup() {
	for p in $node $benches; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
fail() { echo "soak: FAILED: $1"; echo "0 passed, 1 failed"; exit 1; }
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

make -s kaipeer kaipeer-bench >/dev/null || fail "build"
echo "{ \"listenPort\": $port, \"interactive\": false, \"maxPeers\": 64," \
    "\"commandTimeout\": 60 }" >"$dir/node.json"
echo "{ \"autoListen\": false, \"interactive\": false, \"peers\": [ {" \
    "\"host\": \"127.0.0.1\", \"port\": $port } ] }" >"$dir/probe.json"
./kaipeer -q "$dir/node.json" </dev/null >/dev/null 2>"$dir/node.err" &
node=$!
tries=100
until ./kaipeer -q -c "@0 calc 1" "$dir/probe.json" >/dev/null 2>&1; do
	tries=$((tries - 1)); [ "$tries" -gt 0 ] || fail "node does not answer"
	sleep 0.05
done
echo "soak: node RSS at start: $(rss "$node") KiB"

round=1
after_first=
start=$(date +%s)
while [ "$round" -le "$rounds" ]; do
	i=0
	while [ "$i" -lt "$peers" ]; do
		./kaipeer-bench -p "$port" -c 1 -n "$commands" -P "$depth" \
		    -t "calc $i*1000+$round" -q >"$dir/bench$i.out" 2>&1 &
		benches="$benches $!"
		i=$((i + 1))
	done
	status=0
	for b in $benches; do wait "$b" || status=1; done
	benches=
	i=0
	while [ "$i" -lt "$peers" ]; do
		echo "round $round, peer $i: $(cat "$dir/bench$i.out")"
		i=$((i + 1))
	done
	[ "$status" -eq 0 ] ||
	    fail "a peer saw a missing, extra or wrong result"
	kill -0 "$node" 2>/dev/null ||
	    fail "the node died: $(cat "$dir/node.err")"
	now=$(rss "$node")
	echo "soak: node RSS after round $round: $now KiB"
	[ -n "$after_first" ] || after_first=$now
	round=$((round + 1))
done
took=$(($(date +%s) - start))

served=$(./kaipeer -q -c "@0 system status" "$dir/probe.json" |
    sed -n 's/.* \([0-9]*\) commands\{0,1\} served.*/\1/p')
want=$((rounds * peers * commands + 1))	# and the probe's first "calc 1"
echo "soak: $rounds rounds of $peers peers x $commands commands, depth" \
    "$depth, in ${took}s; the node served $served (expected $want)"
[ "$served" = "$want" ] || fail "served $served commands, not $want"
if [ -n "$now" ] && [ -n "$after_first" ]; then
	[ "$now" -le $((after_first + 1024)) ] ||
	    fail "RSS grew from $after_first KiB to $now KiB after warm-up"
	echo "soak: RSS after warm-up ${after_first} KiB, at the end ${now} KiB"
else
	echo "soak: no /proc here: memory growth not measured"
fi
echo "1 passed, 0 failed"
