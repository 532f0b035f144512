#!/bin/sh
# netns.sh: two kaipeer hosts joined by a cable that the test cuts.
#
# Builds two network namespaces joined by a veth pair (addresses from the
# TEST-NET-1 documentation range, 192.0.2.1 and 192.0.2.2, which exist only
# inside these namespaces), runs a node in each, and checks that
#   1. a command crosses the link;
#   2. when the link goes down with a command in flight, the loss is
#      detected within the heartbeat timeout and the command gets an error
#      result;
#   3. when the link comes back, the node reconnects by itself and commands
#      work again.
# Everything it creates it removes, on every path.  Where namespaces cannot
# be made (not root, no ip(8), a container without the capability) it says
# so and exits 0 with "0 passed, 0 failed, 1 skipped": skipped, not passed.
set -u
cd "$(dirname "$0")/.." || exit 1
tag="kp$$"
nsa="$tag-a" nsb="$tag-b"
port=${NETNS_PORT:-14701}
hb_timeout_ms=1000
dir=$(mktemp -d "${TMPDIR:-/tmp}/kaipeer-netns.XXXXXX") || exit 1
pid1= pid2=

cleanup() {
	exec 3>&- 2>/dev/null
	for p in $pid1 $pid2; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$nsa" 2>/dev/null
	ip netns del "$nsb" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

skip() {
	echo "netns: skipped: $1"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
}
fail() {
	echo "netns: FAILED: $1"
	for f in "$dir"/*.log; do echo "--- $f"; cat "$f"; done
	echo "0 passed, 1 failed"
	exit 1
}
# wait_for FILE TEXT MS: until FILE has TEXT, at most MS milliseconds.
wait_for() {
	tries=$(($3 / 20))
	while ! grep -F -q -- "$2" "$1" 2>/dev/null; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.02
	done
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

command -v ip >/dev/null 2>&1 || skip "ip(8) not found (apt-get install iproute2)"
[ "$(id -u)" -eq 0 ] || skip "needs root to create network namespaces"
ip netns add "$nsa" 2>/dev/null || skip "cannot create network namespaces here"
ip netns add "$nsb" || fail "ip netns add $nsb"
ip link add "$tag-va" type veth peer name "$tag-vb" ||
    skip "cannot create veth pairs here"
ip link set "$tag-va" netns "$nsa" && ip link set "$tag-vb" netns "$nsb" ||
    fail "moving the veth ends"
ip -n "$nsa" addr add 192.0.2.1/24 dev "$tag-va" &&
ip -n "$nsb" addr add 192.0.2.2/24 dev "$tag-vb" &&
ip -n "$nsa" link set "$tag-va" up && ip -n "$nsb" link set "$tag-vb" up &&
ip -n "$nsa" link set lo up && ip -n "$nsb" link set lo up ||
    fail "configuring the link"

make -s kaipeer >/dev/null || fail "build"
cat >"$dir/a.json" <<JSON
{ "listenPort": $port, "interactive": false, "commands": { "add": "calc 1+2" } }
JSON
cat >"$dir/b.json" <<JSON
{ "listenPort": $port, "interactive": false,
  "peers": [ { "host": "192.0.2.1", "port": $port } ],
  "heartbeatInterval": 0.2, "heartbeatTimeout": $((hb_timeout_ms / 1000)),
  "reconnectMax": 0.5, "commandTimeout": 30, "connectTimeout": 1 }
JSON
ip netns exec "$nsa" ./kaipeer "$dir/a.json" </dev/null >"$dir/a.log" 2>&1 &
pid1=$!
wait_for "$dir/a.log" "Listening for connections" 5000 || fail "node A did not start"
mkfifo "$dir/console"
ip netns exec "$nsb" ./kaipeer "$dir/b.json" <"$dir/console" >"$dir/b.log" 2>&1 &
pid2=$!
exec 3>"$dir/console"
peer="192.0.2.1:$port"
wait_for "$dir/b.log" "Connected to peer: $peer" 5000 || fail "B did not connect to A"

echo "@0 add" >&3
wait_for "$dir/b.log" "Result from $peer for command 'add': 3" 5000 ||
    fail "no result across the link"
echo "netns: ok: a command crosses the link"

ip -n "$nsa" link set "$tag-va" down || fail "cutting the link"
cut=$(now_ms)
echo "@0 calc 6*7" >&3
wait_for "$dir/b.log" "Connection lost to peer: $peer" 5000 ||
    fail "the cut was not detected"
took=$(($(now_ms) - cut))
wait_for "$dir/b.log" "for command 'calc 6*7': Error: connection lost" 1000 ||
    fail "the command in flight got no error result"
# The heartbeat timeout, plus one heartbeat interval and scheduling slack.
[ "$took" -le $((hb_timeout_ms + 700)) ] ||
    fail "the cut took $took ms to detect (heartbeat timeout $hb_timeout_ms ms)"
echo "netns: ok: the cut was detected in $took ms (heartbeat timeout $hb_timeout_ms ms)"

ip -n "$nsa" link set "$tag-va" up || fail "restoring the link"
healed=$(now_ms)
n=$(grep -c "Connected to peer: $peer" "$dir/b.log")
tries=250
while [ "$(grep -c "Connected to peer: $peer" "$dir/b.log")" -le "$n" ]; do
	tries=$((tries - 1))
	[ "$tries" -gt 0 ] || fail "no reconnection within 5 s of the link coming back"
	sleep 0.02
done
echo "netns: ok: reconnected $(($(now_ms) - healed)) ms after the link came back"
echo "@0 calc 6*7" >&3
wait_for "$dir/b.log" "for command 'calc 6*7': 42" 5000 ||
    fail "no result after reconnecting"
echo "peers" >&3
wait_for "$dir/b.log" "  0: $peer" 2000 || fail "the peer lost its index"
echo "netns: ok: commands work again, and the peer kept index 0"
echo "1 passed, 0 failed"
