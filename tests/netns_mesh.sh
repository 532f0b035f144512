#!/bin/sh
# netns_mesh.sh: discovery, the LAN beacon, relaying and "@**" between
# kaipeer hosts in network namespaces.
#
# Every host is a network namespace with one veth ("eth0") whose other end
# is a port of a bridge; the bridges live in a namespace of their own (the
# hub), so nothing is added to the namespace the test runs in.  The checks,
# each printing PASS or FAIL with its name:
#   1. chain: 10 hosts on one bridge (10.77.1.1 to .10), host i configured
#      with host i+1 alone as its peer, all with "discover": true and the
#      default meshSize.  Within 15 s host 1 is linked to at least 5 peers,
#      one at least "[discovered from" another; "@** calc 2+2" on host 1
#      then gives exactly 10 results, one from each host (itself as
#      "self"), each host runs it once, and the Done line says "on 10
#      nodes" and that every node reached answered; and within the same
#      15 s host 1 reaches the meshSize, 8 links.
#   2. lan: 3 hosts of cluster "blue" and one of cluster "red" on one
#      bridge (multicast snooping off), with "lanDiscovery": true and no
#      peers.  Within 10 s every two blue hosts are linked through the
#      beacon: each lists the other as linked and "[discovered on the
#      LAN]" (the one dialled heard the other's beacon too);
#      then, two beacon intervals later, no blue host knows the red one
#      and the red one knows nobody, though its beacons were sent and
#      heard (the LAN beacon counters, SIGUSR1).
#   3. relay: A on 10.78.1.0/24, C on 10.78.2.0/24, GW on both (two
#      bridges, no forwarding, no routes): A cannot dial C ("connect"
#      fails), A lists GW as its peer and GW lists C, and "@GW/C calc 1+2"
#      on A, by addresses, by indexes and by name, gives 3 from the path
#      "GW/C"; C runs it, told by GW.
#   4. flood: 50 hosts on one bridge, linked as a ring with chords (host i
#      dials i+1 and i+7, mod 50; discovery off), so every host has
#      exactly 4 links.  "@** calc 1" on host 1 gives exactly 50 results
#      from 50 different nodes, the Done line says "on 50 nodes", every
#      other host's log shows the query once and host 1's not at all.
#   5. lan6: 2 hosts with IPv6 addresses alone (fd77:5::1 and ::2), with
#      "lanDiscovery": true: within 10 s they are linked through the IPv6
#      beacon (ff02::14:90), each listing the other "[discovered on the
#      LAN]".
#   6. lan-secure: 3 secured hosts of one cluster with "lanDiscovery":
#      the two that trust each other link ("[discovered on the LAN]"),
#      the third, whose key nobody trusts, is refused ("is not trusted")
#      and linked to nobody: a beacon grants nothing.
# About 10 to 30 s in all on a 2-core machine.  KAIPEER=path runs another
# binary instead of building and running ./kaipeer; NETNS_MESH_CHECKS="1 3" runs some checks only.
# Everything it creates (namespaces kpm-PID-*, nodes, files) it removes,
# on every path.  Where namespaces cannot be made (not root, no ip(8), a
# container without the capability) it says so and exits 0 with "0
# passed, 0 failed, 1 skipped": skipped, not passed.
set -u
cd "$(dirname "$0")/.." || exit 1
tag="kpm-$$"
hub="$tag-hub"
port=14590
kaipeer=${KAIPEER:-./kaipeer}
checks=${NETNS_MESH_CHECKS:-1 2 3 4 5 6}
passed=0 failed=0
dir=$(mktemp -d "${TMPDIR:-/tmp}/kaipeer-mesh.XXXXXX") || exit 1
pids=

# stop_nodes: close the consoles, end every node started (SIGTERM; what is
# left after 5 s, SIGKILL) and wait for them.
stop_nodes() {
	exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
	[ -n "$pids" ] || return 0
	for p in $pids; do kill "$p" 2>/dev/null; done
	(
		sleep 5
		for p in $pids; do
			kill -9 "$p" 2>/dev/null &&
			    echo "netns_mesh: node $p was still there 5 s after SIGTERM: killed"
		done
	) &
	watchdog=$!
	for p in $pids; do wait "$p" 2>/dev/null; done
	kill "$watchdog" 2>/dev/null
	wait "$watchdog" 2>/dev/null
	pids=
}
cleanup() {
	stop_nodes
	for ns in $(ip netns list 2>/dev/null | sed -n "s/^\($tag-[^ ]*\).*/\1/p")
	do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
# Output into a pipe closed early (| head): clean up all the same.
trap 'exec >/dev/null 2>&1; exit 1' PIPE

skip() {
	echo "netns_mesh: skipped: $1"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
}
die() {
	echo "netns_mesh: FAILED: $1"
	echo "$passed passed, $((failed + 1)) failed"
	exit 1
}
# bad WHY [NODE]...: the check in progress failed, because WHY; the logs
# of the NODEs named are shown (the last 60 lines each, 300 bytes a line,
# without the test's own "peers" listings and their "calc" marks).
bad() {
	echo "netns_mesh: FAIL: $check: $1"
	shift
	for node in "$@"; do
		echo "--- $node.log"
		grep -v -E '^(  [0-9]+: |Connected peers:$|Other peers:$|No peers connected\.$|Result: 7[0-9]{6}$)' \
		    "$dir/$node.log" | tail -n 60 | cut -c 1-300
	done
	failed=$((failed + 1))
	return 1
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

# mkhost NS BRIDGE ADDR [DEV]: namespace NS (made if new) with DEV (eth0)
# at ADDR/24 (IPv4) or ADDR/64 (IPv6, usable at once: no duplicate address
# detection), cabled to BRIDGE in the hub.
nveth=0
mkhost() {
	nveth=$((nveth + 1))
	{ ip netns list | cut -d ' ' -f 1 | grep -q -x -F "$1" ||
	    ip netns add "$1"; } &&
	ip -n "$hub" link add "v$nveth" type veth peer name "${4:-eth0}" \
	    netns "$1" &&
	ip -n "$hub" link set "v$nveth" master "$2" up &&
	case "$3" in
	*:*) ip -n "$1" addr add "$3/64" dev "${4:-eth0}" nodad ;;
	*) ip -n "$1" addr add "$3/24" dev "${4:-eth0}" ;;
	esac &&
	ip -n "$1" link set "${4:-eth0}" up && ip -n "$1" link set lo up
}
# bridge NAME: a bridge in the hub, multicast snooping off so that every
# port hears every group without an IGMP querier.
bridge() {
	ip -n "$hub" link add "$1" type bridge mcast_snooping 0 &&
	ip -n "$hub" link set "$1" up
}
# start NS NODE [FD]: run kaipeer with $dir/NODE.json in NS, its output in
# $dir/NODE.log; with FD, its console is the FIFO $dir/NODE.in, written
# through descriptor FD (3 to 9).  Its process id is then in $pid_NODE.
start() {
	if [ $# -ge 3 ]; then
		mkfifo "$dir/$2.in" || return 1
		ip netns exec "$1" "$kaipeer" "$dir/$2.json" <"$dir/$2.in" \
		    >"$dir/$2.log" 2>&1 &
		pids="$pids $!"
		eval "pid_$2=\$!"
		eval "exec $3>\"\$dir/\$2.in\""
	else
		ip netns exec "$1" "$kaipeer" "$dir/$2.json" </dev/null \
		    >"$dir/$2.log" 2>&1 &
		pids="$pids $!"
		eval "pid_$2=\$!"
	fi
}
# say FD LINE: LINE on the console written through FD.
say() { eval "printf '%s\n' \"\$2\" >&$1"; }
# listing NODE FD: NODE's "peers", in $dir/NODE.peers (1 if it did not
# come within 5 s).  A "calc" after it marks where it ends.
marks=0
listing() {
	marks=$((marks + 1))
	from=$(($(wc -l <"$dir/$1.log") + 1))
	say "$2" "peers"
	say "$2" "calc 7000000+$marks"
	wait_for "$dir/$1.log" "Result: $((7000000 + marks))" 5000 || return 1
	sed -n "$from,\$p" "$dir/$1.log" |
	    sed "/^Result: $((7000000 + marks))\$/,\$d" >"$dir/$1.peers"
}
# linked NODE: NODE's linked peers, from its last listing.
linked() {
	awk '/^(Connected peers:|No peers connected\.)/ { on = 1; next }
	    /^Other peers:/ { on = 0 }
	    on && /^  [0-9]+: / { print }' "$dir/$1.peers"
}
# lan_linked NODE ADDR OTHER OADDR: NODE lists ADDR, and OTHER lists
# OADDR, as linked and "[discovered on the LAN]" (the end that was dialled
# heard the other's beacon too).
lan_linked() {
	a=$(linked "$1" | grep -F " $2:$port ") && b=$(linked "$3" | grep -F " $4:$port ") || return 1
	case "$a|$b" in
	*"[discovered on the LAN]"*"|"*"[discovered on the LAN]"*) ;;
	*) return 1 ;;
	esac
}
# entries NODE: every entry of NODE's last listing, linked or not.
entries() { grep -E '^  [0-9]+: ' "$dir/$1.peers"; }
# A node's line for a query that floods the network ("@**"), as an ERE:
# "Command from X (network-wide): command".
query='Command from .* \(network-wide\)'
# count_lines FILE PATTERN: lines of FILE that match the ERE PATTERN.
count_lines() { grep -E -c -- "$2" "$1" 2>/dev/null; }
# flood_results NODE CMD: "Result from X for command 'CMD'" lines, the X.
flood_results() {
	grep -F "for command '$2': " "$dir/$1.log" |
	    sed -n "s/^Result from \(.*\) for command '.*/\1/p"
}

command -v ip >/dev/null 2>&1 || skip "ip(8) not found (apt-get install iproute2)"
[ "$(id -u)" -eq 0 ] || skip "needs root to create network namespaces"
ip netns add "$hub" 2>/dev/null || skip "cannot create network namespaces here"
ip -n "$hub" link add "probe" type veth peer name "probe2" 2>/dev/null ||
    skip "cannot create veth pairs here"
ip -n "$hub" link del "probe"
ip -n "$hub" link add "probe" type bridge 2>/dev/null ||
    skip "cannot create bridges here"
ip -n "$hub" link del "probe"
ip -n "$hub" link set lo up || die "the hub's loopback"

if [ -z "${KAIPEER:-}" ]; then make -s kaipeer >/dev/null || die "build"; fi
[ -x "$kaipeer" ] || die "$kaipeer is not an executable"

# --- 1. a chain becomes a mesh ---------------------------------------------
check_chain() {
	bridge br1 || { bad "making the bridge"; return; }
	i=1
	while [ $i -le 10 ]; do
		mkhost "$tag-c$i" br1 "10.77.1.$i" ||
		    { bad "making host $i"; return; }
		if [ $i -lt 10 ]; then
			peer="{ \"host\": \"10.77.1.$((i + 1))\", \"port\": $port }"
		else
			peer=
		fi
		cat >"$dir/c$i.json" <<JSON
{ "listenPort": $port, "listenAddress": "*", "interactive": false,
  "name": "h$i", "discover": true,
  "peers": [ $peer ] }
JSON
		i=$((i + 1))
	done
	# The far end first: each node finds the next one listening.
	i=10
	while [ $i -ge 2 ]; do
		start "$tag-c$i" "c$i"
		i=$((i - 1))
	done
	start "$tag-c1" c1 3
	wait_for "$dir/c1.log" "Connected to peer: 10.77.1.2:$port" 5000 ||
	    { bad "host 1 did not link to host 2" c1 c2; return; }
	# Host 1 knows host 2 alone: whatever else it links to, it was told.
	deadline=$(($(now_ms) + 15000))
	while :; do
		listing c1 3 || { bad "no peers listing from host 1" c1; return; }
		n=$(linked c1 | wc -l)
		d=$(linked c1 | grep -c -F '[discovered from ')
		[ "$n" -ge 5 ] && [ "$d" -ge 1 ] && break
		[ "$(now_ms)" -lt "$deadline" ] || {
			cat "$dir/c1.peers"
			bad "after 15 s host 1 has $n linked peers, $d of them discovered (want 5 and 1)" c1 c2 c10
			return
		}
		sleep 0.5
	done
	echo "netns_mesh: $check: host 1 linked to $n peers, $d discovered:"
	linked c1
	say 3 "@** calc 2+2"
	wait_for "$dir/c1.log" "Done 'calc 2+2' on " 15000 ||
	    { bad "no Done line for @** within 15 s" c1; return; }
	grep -F "Done 'calc 2+2' on " "$dir/c1.log"
	r=$(flood_results c1 "calc 2+2" | wc -l)
	u=$(flood_results c1 "calc 2+2" | sort -u | wc -l)
	ok=$(count_lines "$dir/c1.log" "^Result from .* for command 'calc 2\+2': 4\$")
	[ "$r" -eq 10 ] && [ "$u" -eq 10 ] && [ "$ok" -eq 10 ] ||
	    { bad "@** gave $r results ($ok right, from $u nodes), want 10 from 10" c1; return; }
	[ "$(count_lines "$dir/c1.log" "^Result from self for command 'calc 2\+2': 4\$")" -eq 1 ] ||
	    { bad "no result from self" c1; return; }
	grep -q -x -F "$(grep -F "Done 'calc 2+2' on " "$dir/c1.log" | sed -n 's/ in [0-9.]* s: / in S s: /p')" \
	    <<EOF || { bad "the Done line is not that of 10 nodes all answering" c1; return; }
Done 'calc 2+2' on 10 nodes in S s: 10 ok, 0 failed, 0 timed out, 0 unreachable (every node reached answered)
EOF
	i=2
	while [ $i -le 10 ]; do
		q=$(count_lines "$dir/c$i.log" "^$query: calc 2\+2\$")
		[ "$q" -eq 1 ] ||
		    { bad "host $i ran the query $q times, want once" "c$i"; return; }
		i=$((i + 1))
	done
	# Host 1 goes on dialling what it learns until it has meshSize (8)
	# links.
	while :; do
		listing c1 3 || { bad "no peers listing from host 1" c1; return; }
		n=$(linked c1 | wc -l)
		[ "$n" -ge 8 ] && break
		[ "$(now_ms)" -lt "$deadline" ] || {
			cat "$dir/c1.peers"
			bad "after 15 s host 1 has $n linked peers, fewer than the meshSize of 8" c1
			return
		}
		sleep 0.5
	done
	echo "netns_mesh: $check: host 1 linked to $n peers $(($(now_ms) - deadline + 15000)) ms after it linked to host 2"
}

# --- 2. the LAN beacon -----------------------------------------------------
check_lan() {
	bridge br2 || { bad "making the bridge"; return; }
	for i in 1 2 3 4; do
		mkhost "$tag-l$i" br2 "10.77.2.$i" ||
		    { bad "making host $i"; return; }
		cluster=blue
		[ $i -eq 4 ] && cluster=red
		cat >"$dir/l$i.json" <<JSON
{ "listenPort": $port, "listenAddress": "*", "interactive": false,
  "name": "$cluster$i", "lanDiscovery": true, "cluster": "$cluster" }
JSON
	done
	for i in 1 2 3 4; do
		start "$tag-l$i" "l$i" $((i + 2))
	done
	for i in 1 2 3 4; do
		wait_for "$dir/l$i.log" "LAN discovery on UDP port $port" 5000 ||
		    { bad "host $i did not start its LAN beacon" "l$i"; return; }
	done
	# A link has two ends: the one that heard the beacon and dialled
	# lists the other "[discovered on the LAN]", the one dialled lists it
	# "[accepted]" (include/table.h: PEER_ACCEPTED, "it dialled us").
	deadline=$(($(now_ms) + 10000))
	while :; do
		missing=
		for i in 1 2 3; do
			listing "l$i" $((i + 2)) ||
			    { bad "no peers listing from blue$i" "l$i"; return; }
		done
		for i in 1 2 3; do
			for j in 1 2 3; do
				[ $i -ne $j ] || continue
				lan_linked "l$i" "10.77.2.$j" "l$j" "10.77.2.$i" ||
				    missing="$missing blue$i-blue$j"
			done
		done
		[ -z "$missing" ] && break
		[ "$(now_ms)" -lt "$deadline" ] || {
			for i in 1 2 3; do echo "--- blue$i:"; cat "$dir/l$i.peers"; done
			bad "after 10 s not linked through the LAN beacon (each end listing the other as \"[discovered on the LAN]\"):$missing" l1 l2 l3
			return
		}
		sleep 0.5
	done
	took=$(($(now_ms) - deadline + 10000))
	echo "netns_mesh: $check: the blue hosts found each other within $took ms:"
	linked l1
	# Two beacon intervals more: time for red to be heard (and, wrongly,
	# dialled) by now.
	sleep 4.5
	for i in 1 2 3 4; do
		listing "l$i" $((i + 2)) ||
		    { bad "no peers listing from host $i" "l$i"; return; }
	done
	for i in 1 2 3; do
		! entries "l$i" | grep -q -F "10.77.2.4" || {
			cat "$dir/l$i.peers"
			bad "blue$i knows the red host" "l$i" l4
			return
		}
	done
	[ -z "$(entries l4)" ] && grep -q -x 'No peers connected\.' "$dir/l4.peers" || {
		cat "$dir/l4.peers"
		bad "the red host knows someone" l4
		return
	}
	! grep -E -q 'Connected to peer|Peer connected from' "$dir/l4.log" ||
	    { bad "the red host was linked at some point" l4; return; }
	# Red beaconed, and blue heard it (and ignored it).
	for i in 1 4; do
		eval "kill -USR1 \$pid_l$i"
	done
	for i in 1 4; do
		wait_for "$dir/l$i.log" "LAN beacon: " 3000 ||
		    { bad "no beacon counters from host $i (SIGUSR1)" "l$i"; return; }
	done
	grep -F "LAN beacon: " "$dir/l1.log" "$dir/l4.log" | sed "s|^$dir/||"
	sent=$(sed -n 's/.*LAN beacon: \([0-9]*\) sent.*/\1/p' "$dir/l4.log")
	ign=$(sed -n 's/.*LAN beacon: .* \([0-9]*\) ignored.*/\1/p' "$dir/l1.log")
	[ "${sent:-0}" -ge 2 ] && [ "${ign:-0}" -ge 2 ] ||
	    { bad "red sent ${sent:-?} beacons and blue1 ignored ${ign:-?}: the cluster filter was not what kept them apart" l1 l4; return; }
}

# --- 3. a relay through a gateway -------------------------------------------
check_relay() {
	bridge br3a && bridge br3b || { bad "making the bridges"; return; }
	mkhost "$tag-a" br3a 10.78.1.1 && mkhost "$tag-gw" br3a 10.78.1.2 &&
	mkhost "$tag-gw" br3b 10.78.2.2 eth1 && mkhost "$tag-cc" br3b 10.78.2.3 ||
	    { bad "making the hosts"; return; }
	for ns in "$tag-a" "$tag-gw" "$tag-cc"; do
		ip netns exec "$ns" sh -c 'echo 0 >/proc/sys/net/ipv4/ip_forward' ||
		    { bad "turning forwarding off in $ns"; return; }
	done
	cat >"$dir/a.json" <<JSON
{ "listenPort": $port, "listenAddress": "*", "interactive": false,
  "name": "a", "connectTimeout": 2,
  "peers": [ { "host": "10.78.1.2", "port": $port } ] }
JSON
	cat >"$dir/gw.json" <<JSON
{ "listenPort": $port, "listenAddress": "*", "interactive": false,
  "name": "gw", "peers": [ { "host": "10.78.2.3", "port": $port } ] }
JSON
	cat >"$dir/cc.json" <<JSON
{ "listenPort": $port, "listenAddress": "*", "interactive": false,
  "name": "c" }
JSON
	start "$tag-cc" cc
	wait_for "$dir/cc.log" "Listening for connections" 5000 ||
	    { bad "C did not start" cc; return; }
	start "$tag-gw" gw 4
	wait_for "$dir/gw.log" "Connected to peer: 10.78.2.3:$port" 5000 ||
	    { bad "GW did not link to C" gw cc; return; }
	start "$tag-a" a 3
	wait_for "$dir/a.log" "Connected to peer: 10.78.1.2:$port" 5000 ||
	    { bad "A did not link to GW" a gw; return; }
	# A cannot reach C by itself.
	ip netns exec "$tag-a" "$kaipeer" -c "connect 10.78.2.3 $port" \
	    "$dir/a.json" >"$dir/direct.log" 2>&1 &&
	    { cat "$dir/direct.log"; bad "A dialled C directly: the subnets are not apart"; return; }
	grep -q -F "Failed to connect to 10.78.2.3:$port" "$dir/direct.log" ||
	    { cat "$dir/direct.log"; bad "A's one-shot connect to C said no failure"; return; }
	echo "netns_mesh: $check: A cannot dial C: $(grep -F 'Failed to connect' "$dir/direct.log" | head -n 1)"
	listing a 3 && listing gw 4 || { bad "no peers listings" a gw; return; }
	gwi=$(linked a | sed -n "s/^  \([0-9]*\): 10\.78\.1\.2:$port.*/\1/p")
	ci=$(linked gw | sed -n "s/^  \([0-9]*\): 10\.78\.2\.3:$port.*/\1/p")
	[ -n "$gwi" ] && [ -n "$ci" ] ||
	    { cat "$dir/a.peers" "$dir/gw.peers"; bad "GW or C is not listed as linked" a gw; return; }
	path="10.78.1.2:$port/10.78.2.3:$port"
	n=0
	for sel in "$path" "$gwi/$ci" "gw/c"; do
		n=$((n + 1))
		say 3 "@$sel calc $n+2"
		wait_for "$dir/a.log" "for command 'calc $n+2': " 10000 ||
		    { bad "no result for @$sel calc $n+2 within 10 s" a gw cc; return; }
		grep -q -x -F "Result from $path for command 'calc $n+2': $((n + 2))" "$dir/a.log" || {
			grep -F "for command 'calc $n+2': " "$dir/a.log"
			bad "@$sel calc $n+2: not \"Result from $path for command 'calc $n+2': $((n + 2))\"" a gw cc
			return
		}
		grep -F "for command 'calc $n+2': " "$dir/a.log"
		[ "$(count_lines "$dir/cc.log" "from 10\.78\.2\.2[:( ].*: calc $n\+2\$")" -eq 1 ] ||
		    { bad "C did not run 'calc $n+2' once, told by GW" cc; return; }
	done
	! grep -q -F "10.78.1.1" "$dir/cc.log" ||
	    { bad "C heard of A's address directly" cc; return; }
}

# --- 4. @** over 50 nodes of 4 links each -------------------------------------
check_flood() {
	bridge br4 || { bad "making the bridge"; return; }
	i=1
	while [ $i -le 50 ]; do
		mkhost "$tag-f$i" br4 "10.77.4.$i" ||
		    { bad "making host $i"; return; }
		cat >"$dir/f$i.json" <<JSON
{ "listenPort": $port, "listenAddress": "*", "interactive": false,
  "name": "f$i",
  "peers": [ { "host": "10.77.4.$((i % 50 + 1))", "port": $port },
             { "host": "10.77.4.$(((i + 6) % 50 + 1))", "port": $port } ] }
JSON
		i=$((i + 1))
	done
	i=50
	while [ $i -ge 2 ]; do
		start "$tag-f$i" "f$i"
		i=$((i - 1))
	done
	start "$tag-f1" f1 3
	# Every node dialled its two, and was dialled by two: 4 links each.
	deadline=$(($(now_ms) + 20000))
	while :; do
		short=
		i=1
		while [ $i -le 50 ]; do
			out=$(count_lines "$dir/f$i.log" '^Connected to peer: ')
			inc=$(count_lines "$dir/f$i.log" '^Peer connected from ')
			[ "$out" -eq 2 ] && [ "$inc" -eq 2 ] ||
			    short="$short f$i($out+$inc)"
			i=$((i + 1))
		done
		[ -z "$short" ] && break
		[ "$(now_ms)" -lt "$deadline" ] ||
		    { bad "after 20 s not 2 links out and 2 in (out+in):$short" f1 f2; return; }
		sleep 0.5
	done
	listing f1 3 || { bad "no peers listing from node 1" f1; return; }
	[ "$(linked f1 | wc -l)" -eq 4 ] && [ "$(entries f1 | wc -l)" -eq 4 ] ||
	    { cat "$dir/f1.peers"; bad "node 1 does not list exactly its 4 links" f1; return; }
	t_query=$(now_ms)
	say 3 "@** calc 1"
	wait_for "$dir/f1.log" "Done 'calc 1' on " 20000 ||
	    { bad "no Done line for @** within 20 s" f1; return; }
	took=$(($(now_ms) - t_query))
	grep -F "Done 'calc 1' on " "$dir/f1.log"
	r=$(flood_results f1 "calc 1" | wc -l)
	u=$(flood_results f1 "calc 1" | sort -u | wc -l)
	ok=$(count_lines "$dir/f1.log" "^Result from .* for command 'calc 1': 1\$")
	[ "$r" -eq 50 ] && [ "$u" -eq 50 ] && [ "$ok" -eq 50 ] ||
	    { bad "@** gave $r results ($ok right, from $u nodes), want 50 from 50" f1; return; }
	grep -q -x -F "$(grep -F "Done 'calc 1' on " "$dir/f1.log" | sed -n 's/ in [0-9.]* s: / in S s: /p')" \
	    <<EOF || { bad "the Done line is not that of 50 nodes all answering" f1; return; }
Done 'calc 1' on 50 nodes in S s: 50 ok, 0 failed, 0 timed out, 0 unreachable (every node reached answered)
EOF
	[ "$(count_lines "$dir/f1.log" "^$query: ")" -eq 0 ] ||
	    { bad "the query came back to node 1" f1; return; }
	i=2
	while [ $i -le 50 ]; do
		q=$(count_lines "$dir/f$i.log" "^$query: ")
		[ "$q" -eq 1 ] ||
		    { bad "node $i ran the query $q times, want once" "f$i"; return; }
		i=$((i + 1))
	done
	# No link was added or lost on the way.
	i=1
	while [ $i -le 50 ]; do
		[ "$(count_lines "$dir/f$i.log" '^(Connected to peer:|Peer connected from) ')" -eq 4 ] &&
		! grep -E -q 'Connection lost|No heartbeat|Peer disconnected' "$dir/f$i.log" ||
		    { bad "node $i's links changed during the query" "f$i"; return; }
		i=$((i + 1))
	done
	echo "netns_mesh: $check: 50 results in $took ms"
}

# --- 5. the LAN beacon over IPv6 ----------------------------------------------
check_lan6() {
	bridge br5 || { bad "making the bridge"; return; }
	for i in 1 2; do
		mkhost "$tag-s$i" br5 "fd77:5::$i" ||
		    { bad "making host $i"; return; }
		cat >"$dir/s$i.json" <<JSON
{ "listenPort": $port, "listenAddress": "*", "interactive": false,
  "name": "six$i", "lanDiscovery": true, "cluster": "blue" }
JSON
		start "$tag-s$i" "s$i" $((i + 2))
	done
	deadline=$(($(now_ms) + 10000))
	while ! { listing s1 3 && listing s2 4 &&
	    lan_linked s1 "[fd77:5::2]" s2 "[fd77:5::1]"; }; do
		[ "$(now_ms)" -lt "$deadline" ] || {
			cat "$dir/s1.peers" "$dir/s2.peers"
			bad "after 10 s the two IPv6 hosts are not linked through the LAN beacon" s1 s2
			return
		}
		sleep 0.5
	done
	linked s1
	linked s2
}

# --- 6. the LAN beacon on a secured network --------------------------------
# Three secured hosts of one cluster: t1 and t2 trust each other, t3 is
# trusted by nobody (and trusts t1).  The beacon leads t1 and t2 to link;
# t3's beacons lead to handshakes only, refused for its key: it is linked
# to nobody, and a beacon granted it nothing.
check_lan_secure() {
	bridge br6 || { bad "making the bridge"; return; }
	for i in 1 2 3; do
		mkhost "$tag-t$i" br6 "10.77.6.$i" ||
		    { bad "making host $i"; return; }
		rm -f "$dir/t$i.key"
		eval "key$i=\$(\"\$kaipeer\" --genkey \"\$dir/t\$i.key\")" ||
		    { bad "--genkey"; return; }
	done
	for i in 1 2 3; do
		case $i in
		1) trusted="{ \"key\": \"$key2\", \"name\": \"t2\" }" ;;
		2) trusted="{ \"key\": \"$key1\", \"name\": \"t1\" }" ;;
		3) trusted="{ \"key\": \"$key1\", \"name\": \"t1\" }" ;;
		esac
		cat >"$dir/t$i.json" <<JSON
{ "listenPort": $port, "interactive": false, "name": "t$i",
  "identity": "t$i.key", "trusted": [ $trusted ],
  "lanDiscovery": true, "cluster": "green", "reconnectMax": 1 }
JSON
		start "$tag-t$i" "t$i" $((i + 2))
	done
	for i in 1 2 3; do
		wait_for "$dir/t$i.log" "LAN discovery on UDP port $port" 5000 ||
		    { bad "host $i did not start its LAN beacon" "t$i"; return; }
	done
	deadline=$(($(now_ms) + 10000))
	until listing t1 3 && listing t2 4 &&
	    lan_linked t1 "10.77.6.2" t2 "10.77.6.1"; do
		[ "$(now_ms)" -lt "$deadline" ] || {
			cat "$dir/t1.peers" "$dir/t2.peers"
			bad "after 10 s the two secured hosts that trust each other are not linked" t1 t2
			return
		}
		sleep 0.5
	done
	linked t1
	# t3 was heard and dialled, or dialled t1: refused for its key.
	wait_for "$dir/t1.log" "is not trusted" 10000 ||
	    { bad "t1 never refused t3's key" t1 t3; return; }
	grep -F "is not trusted" "$dir/t1.log" | head -n 2
	sleep 2
	for i in 1 2 3; do
		listing "t$i" $((i + 2)) ||
		    { bad "no peers listing from t$i" "t$i"; return; }
	done
	! linked t1 | grep -q -F "10.77.6.3" && ! linked t2 | grep -q -F "10.77.6.3" &&
	    [ -z "$(linked t3)" ] || {
		cat "$dir/t1.peers" "$dir/t3.peers"
		bad "the host nobody trusts is linked" t1 t2 t3
		return
	}
}

# run NUMBER NAME FUNCTION: one check, its nodes stopped after it.
run() {
	case " $checks " in *" $1 "*) ;; *) return ;; esac
	check="$1. $2"
	failed0=$failed
	t0=$(now_ms)
	"$3"
	rc=$?
	ms=$(($(now_ms) - t0))
	if [ "$failed" -eq "$failed0" ] && [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		echo "netns_mesh: PASS: $check ($((ms / 1000)).$((ms % 1000 / 100)) s)"
	elif [ "$failed" -eq "$failed0" ]; then
		bad "the check ended with status $rc"
	fi
	stop_nodes
}
run 1 "a chain of 10 with discover becomes a mesh; @** reaches all 10" check_chain
run 2 "LAN beacons link a cluster and ignore another" check_lan
run 3 "a command relayed through a gateway to an unreachable subnet" check_relay
run 4 "@** on 50 nodes of 4 links: 50 results, each node runs it once" check_flood
run 5 "LAN beacons over IPv6 alone (ff02::14:90)" check_lan6
run 6 "LAN beacons on a secured network lead to handshakes only" check_lan_secure
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
