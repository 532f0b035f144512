#!/bin/sh
# p2p_test.sh: the kaipeer demo, and a check that it works.
#
# Starts two real peers on loopback: peer 1 listens on P2P_PORT1 (default
# 14595) and defines the alias "add" = "calc 1+2"; peer 2 listens on
# P2P_PORT2 (default 14596) and dials peer 1.  Peer 2 is then typed
# "peers" and "@0 add", and must print
#     Result from 127.0.0.1:<P2P_PORT1> for command 'add': 3
# It waits for output lines (never a fixed sleep), gives up after
# P2P_TIMEOUT seconds (default 10), or at once when a peer exits (a port
# taken, a bad config), always stops both peers, prints PASS or FAIL (with
# both logs), and exits 0 only on PASS.
set -u

port1=${P2P_PORT1:-14595}
port2=${P2P_PORT2:-14596}
limit=${P2P_TIMEOUT:-10}
cd "$(dirname "$0")" || exit 1

${MAKE:-make} -s kaipeer >/dev/null || { echo "FAIL: build failed"; exit 1; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/kaipeer-demo.XXXXXX") || exit 1
pid1=
pid2=
cleanup() {
	exec 3>&- 2>/dev/null
	for p in $pid1 $pid2; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

fail() {
	echo "FAIL: $1"
	for i in 1 2; do
		eval "echo \"--- peer $i (port \$port$i) ---\""
		if [ -f "$dir/peer$i.log" ]; then
			cat "$dir/peer$i.log"
		else
			echo "(not started)"
		fi
	done
	exit 1
}

# wait_for FILE TEXT PID NAME: until a line of FILE contains TEXT; fails
# at the time limit, or at once when process PID (peer NAME) has exited.
wait_for() {
	tries=$((limit * 20))
	while ! grep -F -q -- "$2" "$1" 2>/dev/null; do
		if ! kill -0 "$3" 2>/dev/null; then
			wait "$3"
			rc=$?
			grep -F -q -- "$2" "$1" 2>/dev/null && return 0
			fail "$4 exited (status $rc) before '$2'"
		fi
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || fail "no '$2' within $limit s"
		sleep 0.05
	done
}

cat >"$dir/peer1.json" <<JSON
{
    "listenPort": $port1,
    "interactive": false,
    "commands": { "add": "calc 1+2" }
}
JSON
cat >"$dir/peer2.json" <<JSON
{
    "listenPort": $port2,
    "interactive": true,
    "peers": [ { "host": "127.0.0.1", "port": $port1 } ]
}
JSON

echo "Starting peer 1 on port $port1"
./kaipeer "$dir/peer1.json" </dev/null >"$dir/peer1.log" 2>&1 &
pid1=$!
wait_for "$dir/peer1.log" "Listening for connections on port $port1" "$pid1" \
    "peer 1"

echo "Starting peer 2 on port $port2"
mkfifo "$dir/console"
./kaipeer "$dir/peer2.json" <"$dir/console" >"$dir/peer2.log" 2>&1 &
pid2=$!
exec 3>"$dir/console"
wait_for "$dir/peer2.log" "Connected to peer: 127.0.0.1:$port1" "$pid2" \
    "peer 2"

echo "peer 2> peers"
echo "peers" >&3
wait_for "$dir/peer2.log" "  0: 127.0.0.1:$port1" "$pid2" "peer 2"

echo "peer 2> @0 add"
echo "@0 add" >&3
expected="Result from 127.0.0.1:$port1 for command 'add': 3"
wait_for "$dir/peer2.log" "$expected" "$pid2" "peer 2"

echo "peer 2> exit"
echo "exit" >&3
wait_for "$dir/peer1.log" "Peer disconnected: 127.0.0.1:$port2" "$pid1" \
    "peer 1"

echo "--- peer 2 said ---"
cat "$dir/peer2.log"
echo "PASS: $expected"
