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
#      work again;
#   4. a slow link that works is not taken for a dead one: with the cable
#      shaped by tc(8) and a heartbeat timeout of 1 s on both nodes, a
#      60 kB command over 80 kbit/s (its 60 kB result comes back the same
#      way, about 6 s each) and a command whose result is 900 kB over
#      1 Mbit/s (about 7.5 s) each get their whole result, byte for byte,
#      and the link stays up throughout: no "No heartbeat", no "Connection
#      lost", no second connection.  Where the link cannot be shaped this
#      part says it skipped.  About 20 s.
# KAIPEER=path runs another binary (an old build, say) instead of building
# and running ./kaipeer.
# Everything it creates it removes, on every path.  Where namespaces cannot
# be made (not root, no ip(8), a container without the capability) it says
# so and exits 0 with "0 passed, 0 failed, 1 skipped": skipped, not passed.
set -u
cd "$(dirname "$0")/.." || exit 1
tag="kp$$"
nsa="$tag-a" nsb="$tag-b"
port=${NETNS_PORT:-14701}
hb_timeout_ms=1000
kaipeer=${KAIPEER:-./kaipeer}
passed=0
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
	# Lines cut to 300 bytes: the slow-link logs hold 900 kB lines.
	for f in "$dir"/*.log; do echo "--- $f"; cut -c 1-300 "$f"; done
	echo "$passed passed, 1 failed"
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

if [ -z "${KAIPEER:-}" ]; then make -s kaipeer >/dev/null || fail "build"; fi
[ -x "$kaipeer" ] || fail "$kaipeer is not an executable"
cat >"$dir/a.json" <<JSON
{ "listenPort": $port, "listenAddress": "*", "interactive": false,
  "commands": { "add": "calc 1+2" } }
JSON
cat >"$dir/b.json" <<JSON
{ "listenPort": $port, "interactive": false,
  "peers": [ { "host": "192.0.2.1", "port": $port } ],
  "heartbeatInterval": 0.2, "heartbeatTimeout": $((hb_timeout_ms / 1000)),
  "reconnectMax": 0.5, "commandTimeout": 30, "connectTimeout": 1 }
JSON
ip netns exec "$nsa" "$kaipeer" "$dir/a.json" </dev/null >"$dir/a.log" 2>&1 &
pid1=$!
wait_for "$dir/a.log" "Listening for connections" 5000 || fail "node A did not start"
mkfifo "$dir/console"
ip netns exec "$nsb" "$kaipeer" "$dir/b.json" <"$dir/console" >"$dir/b.log" 2>&1 &
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
passed=1

# --- 4. a slow link ---------------------------------------------------------
# Both ends of the cable send at most RATE (a qdisc shapes what leaves its
# device), through HTB rather than a plain tbf FIFO: packets under 128
# bytes (ACKs, PINGs, PONGs) go ahead of the bulk, as on a shaped uplink.
# With one FIFO the ACKs for what the quiet side sends (its PINGs) wait
# behind seconds of the busy side's bulk, and TCP holds those PINGs back
# for seconds.  Queues are deep (no loss, so no TCP retransmission
# stalls), and GSO is off so that the shaper sends MTU-sized packets, not
# 64 kB lumps.  The link is slow, never stuck: data arrives at least every
# 0.2 s.
slow_skip() {
	echo "netns: skipped: slow link: $1"
	echo "$passed passed, 0 failed, 1 skipped"
	exit 0
}
# shape_end NS DEV RATE: that end of the cable at RATE.
shape_end() {
	ip netns exec "$1" tc qdisc del dev "$2" root 2>/dev/null
	ip -n "$1" link set dev "$2" gso_max_segs 1 &&
	ip netns exec "$1" tc qdisc add dev "$2" root handle 1: htb default 20 &&
	ip netns exec "$1" tc class add dev "$2" parent 1: classid 1:1 htb \
	    rate "$3" ceil "$3" burst 4k cburst 4k quantum 1600 &&
	ip netns exec "$1" tc class add dev "$2" parent 1:1 classid 1:10 htb \
	    rate 8kbit ceil "$3" burst 4k cburst 4k quantum 1600 prio 0 &&
	ip netns exec "$1" tc class add dev "$2" parent 1:1 classid 1:20 htb \
	    rate 8kbit ceil "$3" burst 4k cburst 4k quantum 1600 prio 1 &&
	ip netns exec "$1" tc qdisc add dev "$2" parent 1:10 pfifo limit 10000 &&
	ip netns exec "$1" tc qdisc add dev "$2" parent 1:20 pfifo limit 10000 &&
	ip netns exec "$1" tc filter add dev "$2" parent 1: protocol ip prio 1 \
	    u32 match u16 0 0xff80 at 2 flowid 1:10
}
# reshape_end NS DEV RATE: the same at another rate, nothing queued lost.
reshape_end() {
	ip netns exec "$1" tc class change dev "$2" parent 1: classid 1:1 htb \
	    rate "$3" ceil "$3" burst 4k cburst 4k quantum 1600 &&
	ip netns exec "$1" tc class change dev "$2" parent 1:1 classid 1:10 htb \
	    rate 8kbit ceil "$3" burst 4k cburst 4k quantum 1600 prio 0 &&
	ip netns exec "$1" tc class change dev "$2" parent 1:1 classid 1:20 htb \
	    rate 8kbit ceil "$3" burst 4k cburst 4k quantum 1600 prio 1
}
# shape RATE, reshape RATE: both directions of the cable.
shape() {
	shape_end "$nsa" "$tag-va" "$1" >/dev/null 2>&1 &&
	shape_end "$nsb" "$tag-vb" "$1" >/dev/null 2>&1
}
reshape() {
	reshape_end "$nsa" "$tag-va" "$1" >/dev/null 2>&1 &&
	reshape_end "$nsb" "$tag-vb" "$1" >/dev/null 2>&1
}
command -v tc >/dev/null 2>&1 || slow_skip "tc(8) not found (apt-get install iproute2)"
shape 80kbit || slow_skip "cannot shape the link (tc htb, pfifo and u32, ip link gso_max_segs)"

# Fresh nodes: both with a heartbeat timeout of 1 s; frames may take 20 s.
exec 3>&-
kill "$pid1" "$pid2" 2>/dev/null
wait
pid1= pid2=
mv "$dir/a.log" "$dir/cut-a.log" && mv "$dir/b.log" "$dir/cut-b.log" ||
    fail "moving the logs"
slow='"heartbeatInterval": 0.2, "heartbeatTimeout": 1, "frameTimeout": 20,
  "maxFrameSize": 2097152, "commandTimeout": 40'
# payload N: N bytes as N/8 blocks "0000000," "0000008," ..., each naming
# its offset, so a byte lost, doubled or moved shows.
payload() {
	awk -v n="$(($1 / 8))" 'BEGIN { for (i = 0; i < n; i++) printf "%07d,", i * 8 }'
}
# A's alias "big" is 900 kB: unknown as a command, it is its own result.
payload 900000 >"$dir/big" || fail "making the 900 kB payload"
big=$(payload 60000) || fail "making the 60 kB payload"
{
	printf '{ "listenPort": %s, "listenAddress": "*", "interactive": false,\n  %s,\n' "$port" "$slow"
	printf '  "commands": { "big": "'; cat "$dir/big"; printf '" } }\n'
} >"$dir/a.json" || fail "writing a.json"
cat >"$dir/b.json" <<JSON
{ "listenPort": $port, "interactive": false,
  "peers": [ { "host": "192.0.2.1", "port": $port } ], $slow }
JSON
ip netns exec "$nsa" "$kaipeer" "$dir/a.json" </dev/null >"$dir/a.log" 2>&1 &
pid1=$!
wait_for "$dir/a.log" "Listening for connections" 5000 || fail "node A did not start again"
ip netns exec "$nsb" "$kaipeer" "$dir/b.json" <"$dir/console" >"$dir/b.log" 2>&1 &
pid2=$!
exec 3>"$dir/console"
wait_for "$dir/b.log" "Connected to peer: $peer" 5000 || fail "B did not connect over the slow link"

lost='No heartbeat|Connection lost|Peer disconnected|Output queue full'
# up WHEN: neither node has seen the link end.
up() {
	for f in "$dir/a.log" "$dir/b.log"; do
		! grep -E -q "$lost" "$f" || fail "the slow link was dropped $1: \
$(grep -E "$lost" "$f" | head -n 1) (in $(basename "$f"))"
	done
}
# result NAME TEXT EXPECT: B's result line for command TEXT is whole,
# exactly the line in the file EXPECT, and the link stayed up.
result() {
	wait_for "$dir/b.log" "Result from $peer for command '$2" 40000 ||
	    { up "during $1"; fail "no result for $1 within 40 s"; }
	up "during $1"
	grep -F -x -q -f "$3" "$dir/b.log" || fail "the result of $1 is not \
whole: $(grep -F "Result from $peer for command '$2" "$dir/b.log" | cut -c 1-160)..."
}

# B sends a 60 kB command at 80 kbit/s; A's 60 kB result comes back the
# same way: about 6 s each, six heartbeat timeouts.
printf "Result from %s for command '%s': Unknown command: %s\n" "$peer" \
    "$big" "$big" >"$dir/expect60"
start=$(now_ms)
printf '@0 %s\n' "$big" >&3
result "the 60 kB command" "0000000,0000008," "$dir/expect60"
echo "netns: ok: a 60 kB command and its 60 kB result crossed 80 kbit/s in $(($(now_ms) - start)) ms, the link up throughout"

# "big" at 1 Mbit/s: a 900 kB result, about 7.5 s.
reshape 1mbit || fail "reshaping the link to 1 Mbit/s"
{
	printf "Result from %s for command 'big': Unknown command: " "$peer"
	cat "$dir/big"
	echo
} >"$dir/expect900"
start=$(now_ms)
echo "@0 big" >&3
result "the 900 kB result" "big'" "$dir/expect900"
echo "netns: ok: a 900 kB result crossed 1 Mbit/s in $(($(now_ms) - start)) ms, the link up throughout"
[ "$(grep -c "Connected to peer: $peer" "$dir/b.log")" -eq 1 ] ||
    fail "B connected to A more than once"
echo "peers" >&3
wait_for "$dir/b.log" "  0: $peer" 2000 && grep -x -q "  0: $peer \[config\]" "$dir/b.log" ||
    fail "A is not listed as connected"
up "at the end"
passed=2
echo "$passed passed, 0 failed"
