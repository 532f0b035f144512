#!/bin/sh
#
# bench.sh: measure kaipeer on this machine, next to redis when it is here.
# `make bench` runs it from the top of the tree, after building ./kaipeer
# and ./kaipeer-bench; docs/BENCHMARKS.md explains the figures.
#
# Contract: POSIX sh; only 127.0.0.1; ports from BENCH_PORT (default 17000)
# upwards, skipping any that are taken; every process it starts is killed on
# every path out (trap), and every client run is bounded in time.  Each
# figure is the median of BENCH_RUNS runs (default 3).  Parts:
#
#   1. four cases (clients x depth), back to back in each run: kaipeer-bench
#      against a quiet node (-q), against a second node in its default output
#      mode (a line per command received and per result sent, on a pipe that
#      another process reads), and redis-benchmark's PING_MBULK against
#      redis-server; with each, the server's CPU time per request (from
#      /proc, Linux).  The two nodes are separate processes;
#   2. scale: requests/s at 1, 10, 100 and 1000 connections, depth 1;
#   3. handshakes: 20000 one after another against a fresh node, the cost of
#      one in the first and in the last tenth of them;
#   4. memory: the node's RSS idle and with 1000 connections held open;
#   5. fan-out: one command sent to 1000 nodes at once (BENCH_FANOUT), timed
#      from the send to the last result, next to one round trip to one node;
#   6. secured links: a node plain and the same node secured (Noise XX,
#      frames carried in sealed records), side by side: requests/s at
#      50 x 16 (node and client each on a CPU of its own, then where the
#      scheduler puts them), a 10 MiB result, the time of one handshake
#      (paced: a secured node takes 20 handshakes a second from one
#      address), and the cipher alone next to openssl speed;
#   7. a network-wide query: '@** calc 1' on networks of 50 and 200 nodes
#      with 4 links each (kaipeer-bench --mesh, ports from BENCH_PORT +
#      7000), next to '@* calc 1' to as many peers linked directly and one
#      round trip over one link.
#
# Exit status: 0 when every measurement ran, 1 when one failed.

set -u

RUNS=${BENCH_RUNS:-3}
BASE=${BENCH_PORT:-17000}
KP=./kaipeer
KB=./kaipeer-bench
LIMIT=120		# seconds any one client run may take
FANOUT=${BENCH_FANOUT:-1000}
FAN_ROUNDS=20
HANDSHAKES=20000

case $RUNS in ''|*[!0-9]*|0) echo "bench.sh: BENCH_RUNS must be a positive integer" >&2; exit 64 ;; esac
case $BASE in ''|*[!0-9]*) echo "bench.sh: BENCH_PORT must be a port number" >&2; exit 64 ;; esac
case $FANOUT in ''|*[!0-9]*|0) echo "bench.sh: BENCH_FANOUT must be a positive integer" >&2; exit 64 ;; esac
if [ "$BASE" -lt 1024 ] || [ $((BASE + FANOUT + 3000)) -gt 65535 ]; then
	echo "bench.sh: BENCH_PORT must be from 1024 to $((62535 - FANOUT))" >&2
	exit 64
fi
for f in "$KP" "$KB"; do
	if [ ! -x "$f" ]; then
		echo "bench.sh: $f is missing; run 'make bench'" >&2
		exit 1
	fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/kaipeer-bench.XXXXXX") || exit 1
PIDS=""			# every server started, killed by cleanup
CLIENT=""		# the client run in progress, if any
STATUS=0

cleanup() {
	trap '' INT TERM
	[ -n "$CLIENT" ] && kill $CLIENT 2>/dev/null
	if [ -n "$PIDS" ]; then
		kill $PIDS 2>/dev/null
		sleep 0.2
		kill -9 $PIDS 2>/dev/null
		wait 2>/dev/null
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

note() {
	printf '%s\n' "$*" >&2
}

# Nanoseconds of a clock, or whole seconds where date lacks %N.
now_ns() {
	t=$(date +%s%N)
	case $t in
	*N) echo $(($(date +%s) * 1000000000)) ;;
	*) echo "$t" ;;
	esac
}

# The median of the numbers on standard input.
median() {
	sort -n | awk '{ v[NR] = $1 }
	    END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
	    else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ratio A B: A / B to 2 places, or "-".
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
	    if (a != "-" && b + 0 > 0) printf "%.2f\n", a / b; else print "-" }'
}

# m FILE FIELD: the median of one column of $TMP/FILE.
m() {
	cut -d' ' -f"$2" "$TMP/$1" | median
}

# bounded SECS CMD...: run CMD, killed if it takes longer than SECS.
bounded() {
	secs=$1
	shift
	"$@" &
	bpid=$!
	CLIENT=$bpid
	(
		i=0
		while [ $i -lt "$secs" ] && kill -0 $bpid 2>/dev/null; do
			sleep 1
			i=$((i + 1))
		done
		if kill -0 $bpid 2>/dev/null; then
			echo "bench.sh: $1 ran past ${secs}s; killed" >&2
			kill $bpid 2>/dev/null
		fi
	) &
	wpid=$!
	wait $bpid
	brc=$?
	CLIENT=""
	kill $wpid 2>/dev/null
	return $brc
}

# CPU ticks (user + system) used so far by process $1; 0 if unknown.
cpu_ticks() {
	awk '{ sub(/.*\) /, ""); print $12 + $13 }' /proc/"$1"/stat 2>/dev/null ||
	    echo 0
}
TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)

# Set CPU to the CPU seconds (user + system) used by this shell's finished
# children, so by the clients run so far.  `times` must run in this shell:
# inside a $(...) it would see only that subshell's children.
clock_children() {
	times >"$TMP/times"
	CPU=$(awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { f = $i;
	    sub(/s$/, "", f); split(f, a, "m"); t += a[1] * 60 + a[2] }
	    print t }' "$TMP/times")
}

# Resident memory of process $1 in KiB.
rss_kib() {
	if [ -r /proc/"$1"/status ]; then
		awk '/^VmRSS:/ { print $2 }' /proc/"$1"/status
	else
		ps -o rss= -p "$1" | tr -d ' '
	fi
}

# start_node PORT NAME [default]: start a quiet (-q) kaipeer node on PORT,
# or with "default" one in its default output mode, whose standard output
# is a pipe (a FIFO) that another process reads: grep, keeping only the
# node's reports of lines it had to drop, in $TMP/NAME.drops.  Waits until
# the node answers.  Sets NODE_PID (and READER_PID); fails when the port is
# taken or the node never answers.  NODE_EXTRA, when set, is more members
# of the config object; NODE_KEY, when set, is the key file with which a
# secured kaipeer-bench checks that a secured node answers.
NODE_EXTRA=""
NODE_KEY=""
start_node() {
	printf '{"listenPort": %s, "interactive": false, "maxPeers": 2000%s}\n' \
	    "$1" "${NODE_EXTRA:+, $NODE_EXTRA}" >"$TMP/$2.json"
	if [ "${3:-}" = default ]; then
		rm -f "$TMP/$2.fifo"
		mkfifo "$TMP/$2.fifo" || return 1
		grep -F 'of output dropped' <"$TMP/$2.fifo" >>"$TMP/$2.drops" &
		READER_PID=$!
		PIDS="$PIDS $READER_PID"
		"$KP" "$TMP/$2.json" </dev/null >"$TMP/$2.fifo" \
		    2>"$TMP/$2.err" &
	else
		"$KP" -q "$TMP/$2.json" </dev/null >/dev/null 2>"$TMP/$2.err" &
	fi
	NODE_PID=$!
	PIDS="$PIDS $NODE_PID"
	i=0
	while [ $i -lt 100 ]; do
		kill -0 $NODE_PID 2>/dev/null || return 1
		if "$KB" ${NODE_KEY:+-K "$NODE_KEY"} -p "$1" -c 1 -n 1 -q \
		    >/dev/null 2>&1; then
			kill -0 $NODE_PID 2>/dev/null && return 0
			return 1
		fi
		sleep 0.05
		i=$((i + 1))
	done
	kill $NODE_PID 2>/dev/null
	return 1
}

# node_on_free_port NAME [default]: start a node on PORT or, if that is
# taken, on the next free port after it; sets PORT and NODE_PID.
node_on_free_port() {
	tries=0
	while ! start_node "$PORT" "$1" "${2:-}"; do
		tries=$((tries + 1))
		PORT=$((PORT + 1))
		if [ $tries -ge 20 ]; then
			note "bench.sh: no free port for a node near $PORT"
			return 1
		fi
	done
}

# reap PID: wait up to 3 s for PID to end, then kill it outright; forget it.
reap() {
	i=0
	while [ $i -lt 30 ] && kill -0 "$1" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	rest=""
	for p in $PIDS; do
		[ "$p" = "$1" ] || rest="$rest $p"
	done
	PIDS=$rest
}

# stop PID: end a server (SIGTERM) and reap it.
stop() {
	kill "$1" 2>/dev/null
	reap "$1"
}

# kaipeer_run PORT C N D: one kaipeer-bench run; sets RES to "rps p50_ms".
# The runs stay in this shell, not in a $(...), so that a signal to the
# script interrupts the wait and the trap can kill the client.
kaipeer_run() {
	# shellcheck disable=SC2086 # $CPIN is a command and its arguments
	bounded $LIMIT $CPIN "$KB" -p "$1" -c "$2" -n "$3" -P "$4" --csv \
	    >"$TMP/kb.out" 2>"$TMP/kb.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		note "bench.sh: kaipeer-bench -p $1 -c $2 -n $3 -P $4 failed ($rc):"
		cat "$TMP/kb.err" >&2
		return 1
	fi
	RES=$(awk -F'","' 'NR == 2 { print $2, $3 }' "$TMP/kb.out")
}

# redis_run PORT C N D: one redis-benchmark run; sets RES to "rps p50_ms".
redis_run() {
	# shellcheck disable=SC2086 # $CPIN is a command and its arguments
	bounded $LIMIT $CPIN redis-benchmark -p "$1" -t ping_mbulk -q \
	    -c "$2" -n "$3" -P "$4" >"$TMP/rb.out" 2>"$TMP/rb.err"
	rc=$?
	rline=$(tr '\r' '\n' <"$TMP/rb.out" |
	    grep '^PING_MBULK: .* requests per second' | tail -n 1)
	if [ $rc -ne 0 ] || [ -z "$rline" ]; then
		note "bench.sh: redis-benchmark -p $1 -c $2 -n $3 -P $4 failed ($rc):"
		cat "$TMP/rb.err" >&2
		return 1
	fi
	RES=$(echo "$rline" | awk '{ for (i = 1; i <= NF; i++) {
	    if ($i == "requests") rps = $(i - 1);
	    if ($i ~ /^p50=/) { sub(/^p50=/, "", $i); p50 = $i } }
	    print rps, p50 }')
}

# busy C0 C1 N "RPS ...": the client's CPU time over the run's length, in
# percent; near 100 means the client, not the server, set the pace.
busy() {
	awk -v a="$1" -v b="$2" -v n="$3" -v r="${4%% *}" \
	    'BEGIN { if (r > 0) printf "%.0f%%\n", (b - a) / (n / r) * 100;
	    else print "-" }'
}

# Microseconds of CPU per request from two tick counts.
us_per_req() {
	awk -v a="$1" -v b="$2" -v n="$3" -v hz="$TCK" \
	    'BEGIN { printf "%.2f\n", (b - a) / hz * 1e6 / n }'
}

started=$(now_ns)
# Other work on the machine skews every figure: say how much there was.
load() {
	cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown
}
echo "kaipeer benchmark: $(nproc 2>/dev/null || echo '?') CPUs, medians of" \
    "$RUNS runs, load average $(load)"

# --- servers --------------------------------------------------------------

PORT=$BASE
node_on_free_port main || exit 1
KP_PORT=$PORT
KP_PID=$NODE_PID
PORT=$((PORT + 1))
# The same node in its default output mode, a process of its own.
node_on_free_port def default || exit 1
DEF_PORT=$PORT
DEF_PID=$NODE_PID
DEF_READER=$READER_PID
PORT=$((PORT + 1))

# redis_up PORT: redis answers there (redis-benchmark alone would wait forever).
redis_up() {
	if command -v redis-cli >/dev/null 2>&1; then
		[ "$(redis-cli -p "$1" ping 2>/dev/null)" = PONG ]
	else
		bounded 2 redis-benchmark -p "$1" -t ping_mbulk -n 1 -q \
		    >/dev/null 2>&1
	fi
}

HAVE_REDIS=0
if command -v redis-server >/dev/null 2>&1 &&
    command -v redis-benchmark >/dev/null 2>&1; then
	tries=0
	while [ $tries -lt 20 ]; do
		redis-server --port "$PORT" --bind 127.0.0.1 --save '' \
		    --appendonly no --daemonize no \
		    --logfile "$TMP/redis.log" </dev/null >/dev/null 2>&1 &
		R_PID=$!
		PIDS="$PIDS $R_PID"
		i=0
		while [ $i -lt 100 ] && kill -0 $R_PID 2>/dev/null; do
			if redis_up "$PORT"; then
				break
			fi
			sleep 0.05
			i=$((i + 1))
		done
		sleep 0.1	# still ours, not another redis on the port?
		if kill -0 $R_PID 2>/dev/null && [ $i -lt 100 ]; then
			HAVE_REDIS=1
			R_PORT=$PORT
			break
		fi
		kill $R_PID 2>/dev/null
		PORT=$((PORT + 1))
		tries=$((tries + 1))
	done
	[ $HAVE_REDIS -eq 1 ] || note "bench.sh: redis-server did not start"
fi
echo "quiet node (-q) on port $KP_PORT (pid $KP_PID), default-mode node on" \
    "port $DEF_PORT (pid $DEF_PID, its output read through a pipe)"
if [ $HAVE_REDIS -eq 1 ]; then
	echo "$(redis-server --version | awk '{ print $1, $2, $3 }') on port" \
	    "$R_PORT (pid $R_PID)"
else
	echo "redis is not installed:" \
	    "apt-get install redis-server (it brings redis-benchmark too)"
fi

# --- 1. the four cases -------------------------------------------------------

# With one connection a run is a chain of wake-ups between client and
# server, and on a virtual machine waking a process on the other CPU can
# cost more than the work itself: the figure would say where the scheduler
# put the two.  So in those cases (with taskset) the server under test and
# its client share CPU 0, kaipeer and redis alike; the default-mode node's
# reader is left where the scheduler puts it.
PIN=""
ALLCPUS=""
if command -v taskset >/dev/null 2>&1 && taskset -c 0 true 2>/dev/null; then
	PIN="taskset -c 0"
	ALLCPUS="0-$(($(nproc 2>/dev/null || echo 1) - 1))"
fi
CPIN=""		# the client's pin in the case being run

# pinned PID: the server PID shares CPU 0 with the client for this case.
pinned() {
	[ -z "$CPIN" ] || taskset -pc 0 "$1" >/dev/null 2>&1
}

# unpinned PID: the server PID may run anywhere again.
unpinned() {
	[ -z "$CPIN" ] || taskset -pc "$ALLCPUS" "$1" >/dev/null 2>&1
}

CASES="1:1:50000 50:1:200000 1:16:1000000 50:16:3000000"
: >"$TMP/cases"

# measure_kp PORT PID C N D FILE: one kaipeer-bench run against the node
# PID on PORT; appends "rps p50 us/req busy" to $TMP/FILE, sets RES.
measure_kp() {
	pinned "$2"
	t0=$(cpu_ticks "$2")
	clock_children; c0=$CPU
	kaipeer_run "$1" "$3" "$4" "$5" || { unpinned "$2"; return 1; }
	clock_children; c1=$CPU
	t1=$(cpu_ticks "$2")
	unpinned "$2"
	echo "$RES $(us_per_req "$t0" "$t1" "$4") $(busy "$c0" "$c1" "$4" "$RES")" \
	    >>"$TMP/$6"
}

for c in $CASES; do
	C=${c%%:*}
	rest=${c#*:}
	D=${rest%%:*}
	N=${rest#*:}
	for f in k d r q dq dr; do
		: >"$TMP/$f"
	done
	CPIN=""
	[ "$C" -ne 1 ] || CPIN=$PIN
	run=1
	while [ $run -le "$RUNS" ]; do
		measure_kp "$KP_PORT" "$KP_PID" "$C" "$N" "$D" k ||
		    { STATUS=1; break; }
		k=$RES
		measure_kp "$DEF_PORT" "$DEF_PID" "$C" "$N" "$D" d ||
		    { STATUS=1; break; }
		d=$RES
		ratio "${d%% *}" "${k%% *}" >>"$TMP/dq"
		line="case -c $C -P $D -n $N, run $run: kaipeer -q ${k%% *}/s,"
		line="$line default ${d%% *}/s (default/-q $(tail -n 1 "$TMP/dq"))"
		if [ $HAVE_REDIS -eq 1 ]; then
			pinned $R_PID
			t0=$(cpu_ticks $R_PID)
			clock_children; c0=$CPU
			redis_run "$R_PORT" "$C" "$N" "$D" ||
			    { unpinned $R_PID; STATUS=1; break; }
			r=$RES
			clock_children; c1=$CPU
			t1=$(cpu_ticks $R_PID)
			unpinned $R_PID
			echo "$r $(us_per_req "$t0" "$t1" "$N")" \
			    "$(busy "$c0" "$c1" "$N" "$r")" >>"$TMP/r"
			ratio "${k%% *}" "${r%% *}" >>"$TMP/q"
			ratio "${d%% *}" "${r%% *}" >>"$TMP/dr"
			line="$line, redis ${r%% *}/s (-q/redis"
			line="$line $(tail -n 1 "$TMP/q"), default/redis"
			line="$line $(tail -n 1 "$TMP/dr"))"
		fi
		echo "$line"
		run=$((run + 1))
	done
	CPIN=""
	echo "$C $D $N $(m k 1) $(m k 2) $(m k 3) $(m k 4)" \
	    "$(m d 1) $(m d 2) $(m d 3) $(m d 4)" \
	    "$(m r 1) $(m r 2) $(m r 3) $(m r 4) $(m q 1) $(m dq 1) $(m dr 1)" \
	    >>"$TMP/cases"
done
# The default-mode node should have written every line: its reader kept
# only the node's reports of lines dropped because the pipe was full, and
# writes them out when the node has gone and the pipe is closed.
sleep 0.2
stop $DEF_PID
reap $DEF_READER
DROPPED=$(awk '{ n += $2 } END { print n + 0 }' "$TMP/def.drops" 2>/dev/null)

# --- 2. scale ----------------------------------------------------------------

: >"$TMP/scale"
for c in 1:50000 10:200000 100:200000 1000:200000; do
	C=${c%%:*}
	N=${c#*:}
	: >"$TMP/k"
	run=1
	while [ $run -le "$RUNS" ]; do
		kaipeer_run "$KP_PORT" "$C" "$N" 1 || { STATUS=1; break; }
		echo "$RES" >>"$TMP/k"
		run=$((run + 1))
	done
	echo "scale -c $C -n $N: $(cut -d' ' -f1 "$TMP/k" | tr '\n' ' ')"
	echo "$C $N $(cut -d' ' -f1 "$TMP/k" | median)" \
	    "$(cut -d' ' -f2 "$TMP/k" | median)" >>"$TMP/scale"
done

# --- 3. handshakes: HANDSHAKES in a row against a fresh node ---------------

# Per run, from a fresh quiet node: the wall time of one handshake (1 s over
# the rate) in the first and in the last tenth, its median time there, and
# the node's CPU time per handshake over the whole series.  A handshake is a
# chain of wake-ups, and on a virtual machine waking a process on the other
# CPU can cost more than the work itself, so the figures would say where
# the scheduler put the two processes.  With taskset, node and client share
# CPU 0 instead: the wall time is then the CPU time of both ends.
: >"$TMP/hs"
PORT=$((PORT + 1))
run=1
while [ $run -le "$RUNS" ]; do
	node_on_free_port hs || { STATUS=1; break; }
	HS_PID=$NODE_PID
	[ -z "$PIN" ] || taskset -pc 0 $HS_PID >/dev/null
	t0=$(cpu_ticks $HS_PID)
	# shellcheck disable=SC2086 # $PIN is a command and its arguments
	bounded $LIMIT $PIN "$KB" -p "$PORT" -H $HANDSHAKES --csv \
	    >"$TMP/hs.out" 2>"$TMP/hs.err"
	rc=$?
	t1=$(cpu_ticks $HS_PID)
	stop $HS_PID
	PORT=$((PORT + 1))
	if [ $rc -ne 0 ]; then
		note "bench.sh: kaipeer-bench -H $HANDSHAKES failed ($rc):"
		cat "$TMP/hs.err" >&2
		STATUS=1
		break
	fi
	awk -F'","' -v a="$t0" -v b="$t1" -v hz="$TCK" -v n=$HANDSHAKES '
	    NR == 2 && $3 > 0 && $4 > 0 && $5 > 0 {
	    f = 1e6 / $3; l = 1e6 / $4
	    printf "%.1f %.1f %.2f %.1f %.1f %.2f %.1f %.0f\n", f, l, l / f,
	        $5, $6, $6 / $5, (b - a) / hz * 1e6 / n, $2 }' \
	    "$TMP/hs.out" >>"$TMP/hs"
	echo "handshakes run $run: $(tail -n 1 "$TMP/hs" | awk '{ print $1 \
	    " us each at the start, " $2 " us at the end (" $3 "); medians " \
	    $4 " and " $5 " us (" $6 "); node CPU " $7 " us each" }')"
	run=$((run + 1))
done
HS=$(for f in 1 2 3 4 5 6 7 8; do m hs $f; done | tr '\n' ' ')

# --- 4. memory: a fresh node, idle and then with 1000 connections -----------

PORT=$((PORT + 1))
RSS0=- RSS1=- RSS2=- PER=-
if node_on_free_port mem; then
	MEM_PID=$NODE_PID
	sleep 0.2
	RSS0=$(rss_kib $MEM_PID)
	"$KB" -p "$PORT" -c 1000 -n 1000 -k 3 -q >"$TMP/hold.out" \
	    2>"$TMP/hold.err" &
	HOLD_PID=$!
	CLIENT=$HOLD_PID
	i=0
	while [ ! -s "$TMP/hold.out" ] && kill -0 $HOLD_PID 2>/dev/null &&
	    [ $i -lt 400 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	if [ -s "$TMP/hold.out" ]; then
		sleep 0.5	# let the node settle
		RSS1=$(rss_kib $MEM_PID)
	fi
	wait $HOLD_PID
	rc=$?
	CLIENT=""
	if [ $rc -eq 0 ]; then
		sleep 0.3
		RSS2=$(rss_kib $MEM_PID)
		PER=$(awk -v a="$RSS0" -v b="$RSS1" \
		    'BEGIN { printf "%.2f\n", (b - a) / 1000 }')
	else
		note "bench.sh: holding 1000 connections failed:"
		cat "$TMP/hold.err" >&2
		STATUS=1
	fi
	kill $MEM_PID 2>/dev/null
	echo "memory: RSS $RSS0 KiB idle, $RSS1 KiB with 1000 connections"
	PORT=$((PORT + 1))
else
	STATUS=1
fi

# --- 5. fan-out: FANOUT nodes, one command to all of them at once ---------

PORT=$((PORT + 1))
FAN_PIDS=""
peers=""
printf '{"interactive": false}\n' >"$TMP/fanpeer.json"
n=0
while [ $n -lt $FANOUT ]; do
	"$KP" -q "$TMP/fanpeer.json" "$PORT" </dev/null >/dev/null 2>&1 &
	FAN_PIDS="$FAN_PIDS $!"
	PIDS="$PIDS $!"
	eval "fport$n=$PORT"
	PORT=$((PORT + 1))
	n=$((n + 1))
done
# Check each node is up; one whose port was taken is replaced.
n=0
while [ $n -lt $FANOUT ]; do
	eval "p=\$fport$n"
	i=0
	until "$KB" -p "$p" -c 1 -n 1 -q >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -ge 40 ]; then
			while ! start_node "$PORT" "f$n"; do
				PORT=$((PORT + 1))
				if [ $PORT -ge $((BASE + FANOUT + 3000)) ]; then
					note "bench.sh: no ports for the fan-out"
					exit 1
				fi
			done
			p=$PORT
			FAN_PIDS="$FAN_PIDS $NODE_PID"
			PORT=$((PORT + 1))
			break
		fi
		sleep 0.05
	done
	peers="$peers${peers:+, }{\"host\": \"127.0.0.1\", \"port\": $p}"
	n=$((n + 1))
done
printf '{"maxPeers": %d, "commandTimeout": 60, "connectTimeout": 30, "peers": [%s]}\n' \
    $((FANOUT + 100)) "$peers" >"$TMP/fanout.json"
: >"$TMP/fan"
run=1
while [ $run -le "$RUNS" ]; do
	if ! bounded $LIMIT "$KB" -F "$TMP/fanout.json" -n $FAN_ROUNDS --csv \
	    >>"$TMP/fan"; then
		note "bench.sh: the fan-out run failed"
		STATUS=1
		break
	fi
	echo "fan-out run $run: $(tail -n 1 "$TMP/fan")"
	run=$((run + 1))
done
kill $FAN_PIDS 2>/dev/null
# fanout,peers,rounds,median_ms,min_ms,max_ms,one_us
FAN=$(cut -d, -f4 "$TMP/fan" | median)
FANMIN=$(cut -d, -f5 "$TMP/fan" | median)
ONE=$(cut -d, -f7 "$TMP/fan" | median)

# --- 6. secured links: the same node with and without Noise ---------------

# Two nodes alike but for security: "plain", and "sec" with an identity
# (a key made here by kaipeer --genkey), kaipeer-bench's key in "trusted",
# listening on 127.0.0.1 only.  Both may take frames of 64 MiB and results
# of 16 MiB, and run the program "big" (cat of a 10 MiB file).  Per run,
# back to back, plain then secured:
#   a. SEC_C connections x depth 16 of 'calc 1+2' (kaipeer-bench -K for
#      the secured node), and the node's CPU time per request: first with
#      the node on CPU 1 and the client on CPU 0 (taskset, with 2 CPUs or
#      more), so that each has a CPU of its own whatever the scheduler
#      would do, then both left where the scheduler puts them;
#   b. the 10 MiB result, one at a time (-c 1 -P 1 -n BIG_N): from the
#      COMMAND queued to the whole RESULT read (and, secured, opened);
#   c. SEC_HS handshakes one after another at 20 a second, node and client
#      on CPU 0: the median time from socket() to the link up (the node's
#      HELLO; secured, its first record opened);
#   d. ChaCha20-Poly1305: kaipeer-bench -A 1 (aead_seal at five sizes, the
#      largest a full record) and openssl speed -evp chacha20-poly1305 at
#      the same sizes.
# A secured node takes at most 20 handshakes a second from one address
# (burst 5), and every client here is 127.0.0.1: kaipeer-bench -K dials
# one connection every 50 ms, and dials again, 250 ms later, one that the
# node refused as too many (ERROR 5).  The clock of a load run starts
# once every connection is up, so the pacing is not in its figure.

SEC_C=50
SEC_N=2000000
BIG_N=10
BIG_BYTES=10485760	# 10 MiB
BIG_FRAME=16777472	# the frame limit kaipeer-bench announces for it
SEC_HS=40
HS_RATE=20		# the secured node's handshakes a second (guard.h)
AEAD_SIZES="16 256 1024 8192 65519"

# kb_csv CMD...: one bounded run of CMD --csv into $TMP/kc.out; 1 if it
# failed, having said why.
kb_csv() {
	bounded $LIMIT "$@" --csv >"$TMP/kc.out" 2>"$TMP/kc.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		note "bench.sh: $* failed ($rc):"
		cat "$TMP/kc.err" >&2
		return 1
	fi
}

# field N: field N of the second line of $TMP/kc.out (kaipeer-bench CSV).
field() {
	awk -F'","' -v f="$1" 'NR == 2 { v = $f; gsub(/"/, "", v); print v }' \
	    "$TMP/kc.out"
}

# mbps MS: MB/s (10^6 bytes) of the 10 MiB result done in MS milliseconds.
mbps() {
	awk -v ms="$1" -v b=$BIG_BYTES 'BEGIN {
	    if (ms + 0 > 0) printf "%.1f\n", b / (ms / 1000) / 1e6; else print "-" }'
}

# openssl_speed SIZE [-aead]: OpenSSL's ChaCha20-Poly1305 at SIZE bytes,
# MB/s, from its machine-readable line "+F:n:name:bytes_per_second"; "-"
# if it gave none.  Without -aead it streams one long message through
# EVP_EncryptUpdate; with -aead each buffer is a whole message (nonce,
# 13 bytes of associated data, tag), as aead_seal() does.
openssl_speed() {
	# shellcheck disable=SC2086 # $2 is an option or nothing
	bounded 30 openssl speed -mr -seconds 1 -bytes "$1" ${2:-} \
	    -evp chacha20-poly1305 >"$TMP/os.out" 2>/dev/null
	v=$(awk -F: '/^\+F:/ { printf "%.1f\n", $4 / 1e6 }' "$TMP/os.out")
	echo "${v:--}"
}

# With 2 CPUs or more, the load runs of a. put the node on CPU 1 and the
# client on CPU 0.
SPLIT_NODE=""
SPLIT_CLIENT=""
if [ -n "$PIN" ] && [ "$(nproc 2>/dev/null || echo 1)" -ge 2 ]; then
	SPLIT_NODE=1
	SPLIT_CLIENT="taskset -c 0"
fi

# sec_load PID PORT NODECPU CLIENTPIN [-K key]: one 50 x 16 run against
# the node PID on PORT, the node moved to NODECPU for it (if not empty)
# and the client run under CLIENTPIN (a command, or empty); sets LRPS,
# LCPU (the node's us per request), LBUSY (the client's) and LFPR (frames
# per record sent and received, secured; "- -" plain).
sec_load() {
	lpid=$1
	lport=$2
	lcpu=$3
	lpin=$4
	shift 4
	[ -z "$lcpu" ] || taskset -pc "$lcpu" "$lpid" >/dev/null 2>&1
	t0=$(cpu_ticks "$lpid")
	clock_children; c0=$CPU
	# shellcheck disable=SC2086 # $lpin is a command and its arguments
	kb_csv $lpin "$KB" "$@" -p "$lport" -c $SEC_C -n $SEC_N -P 16
	lrc=$?
	clock_children; c1=$CPU
	t1=$(cpu_ticks "$lpid")
	[ -z "$lcpu" ] || taskset -pc "$ALLCPUS" "$lpid" >/dev/null 2>&1
	[ $lrc -eq 0 ] || return 1
	LRPS=$(field 2 | awk '{ printf "%.0f\n", $1 }')
	LCPU=$(us_per_req "$t0" "$t1" $SEC_N)
	LBUSY=$(busy "$c0" "$c1" $SEC_N "$LRPS")
	LFPR="$(field 6) $(field 7)"
	[ "$LFPR" != " " ] || LFPR="- -"
}

# sec_pair NODECPU CLIENTPIN FILE: sec_load plain, then secured; appends
# "plain_rps sec_rps ratio plain_us sec_us ratio plain_busy sec_busy
# frames_per_record_out frames_per_record_in" to $TMP/FILE.
sec_pair() {
	sec_load $PL_PID $PL_PORT "$1" "$2" || return 1
	prps=$LRPS pcpu=$LCPU pbusy=$LBUSY
	sec_load $SEC_PID $SEC_PORT "$1" "$2" -K "$TMP/bench.key" || return 1
	echo "$prps $LRPS $(ratio "$LRPS" "$prps") $pcpu $LCPU" \
	    "$(ratio "$LCPU" "$pcpu") $pbusy $LBUSY $LFPR" >>"$TMP/$3"
}

SEC_OK=0
PORT=$((PORT + 1))
# A 10 MiB result of 100-byte numbered lines, the last one cut short.
awk -v n=$BIG_BYTES 'BEGIN { for (i = 0; i < int(n / 100); i++)
    printf "%08d %090d\n", i, i
    printf "%s", substr(sprintf("%08d %090d\n", i, i), 1, n % 100) }' \
    >"$TMP/big.txt"
if [ "$(wc -c <"$TMP/big.txt" | tr -d ' ')" -ne $BIG_BYTES ]; then
	note "bench.sh: could not write the 10 MiB file"
	STATUS=1
elif ! "$KP" --genkey "$TMP/node.key" >/dev/null 2>"$TMP/genkey.err" ||
    ! BENCH_PUB=$("$KP" --genkey "$TMP/bench.key" 2>>"$TMP/genkey.err"); then
	note "bench.sh: kaipeer --genkey failed:"
	cat "$TMP/genkey.err" >&2
	STATUS=1
else
	BIG="\"maxFrameSize\": 67108864, \"maxResultSize\": 16777216,"
	BIG="$BIG \"exec\": {\"big\": [\"cat\", \"$TMP/big.txt\"]}"
	NODE_EXTRA=$BIG
	if node_on_free_port plain; then
		PL_PORT=$PORT
		PL_PID=$NODE_PID
		PORT=$((PORT + 1))
		NODE_EXTRA="$BIG, \"identity\": \"$TMP/node.key\","
		NODE_EXTRA="$NODE_EXTRA \"listenAddress\": \"127.0.0.1\","
		NODE_EXTRA="$NODE_EXTRA \"trusted\": [{\"key\": \"$BENCH_PUB\"}]"
		NODE_KEY=$TMP/bench.key
		if node_on_free_port sec; then
			SEC_PORT=$PORT
			SEC_PID=$NODE_PID
			SEC_OK=1
		fi
	fi
	NODE_EXTRA=""
	NODE_KEY=""
	[ $SEC_OK -eq 1 ] || STATUS=1
fi
HAVE_OPENSSL=0
command -v openssl >/dev/null 2>&1 && HAVE_OPENSSL=1

: >"$TMP/sl"
: >"$TMP/su"
: >"$TMP/sb"
: >"$TMP/sh"
for z in $AEAD_SIZES; do
	: >"$TMP/aead.$z"
done
run=1
while [ $SEC_OK -eq 1 ] && [ $run -le "$RUNS" ]; do
	# a. requests: plain, then secured; each on a CPU of its own, then
	# where the scheduler puts them
	sec_pair "$SPLIT_NODE" "$SPLIT_CLIENT" sl || { STATUS=1; break; }
	sec_pair "" "" su || { STATUS=1; break; }

	# b. the 10 MiB result
	kb_csv "$KB" -p $PL_PORT -c 1 -n $BIG_N -t big -M $BIG_FRAME \
	    -E "$TMP/big.txt" || { STATUS=1; break; }
	pms=$(field 3)
	kb_csv "$KB" -K "$TMP/bench.key" -p $SEC_PORT -c 1 -n $BIG_N -t big \
	    -M $BIG_FRAME -E "$TMP/big.txt" || { STATUS=1; break; }
	sms=$(field 3)
	pmb=$(mbps "$pms")
	smb=$(mbps "$sms")
	echo "$pms $sms $pmb $smb $(ratio "$smb" "$pmb") $(ratio "$sms" "$pms")" \
	    >>"$TMP/sb"

	# c. handshakes, paced, node and client on CPU 0
	[ -z "$PIN" ] || taskset -pc 0 $PL_PID >/dev/null
	# shellcheck disable=SC2086 # $PIN is a command and its arguments
	kb_csv $PIN "$KB" -p $PL_PORT -H $SEC_HS -r $HS_RATE ||
	    { STATUS=1; break; }
	[ -z "$PIN" ] || taskset -pc "$ALLCPUS" $PL_PID >/dev/null
	phs=$(field 10)
	[ -z "$PIN" ] || taskset -pc 0 $SEC_PID >/dev/null
	# shellcheck disable=SC2086
	kb_csv $PIN "$KB" -K "$TMP/bench.key" -p $SEC_PORT -H $SEC_HS \
	    -r $HS_RATE || { STATUS=1; break; }
	[ -z "$PIN" ] || taskset -pc "$ALLCPUS" $SEC_PID >/dev/null
	shs=$(field 10)
	echo "$phs $shs $(ratio "$shs" "$phs")" >>"$TMP/sh"

	# d. the cipher alone: ours, then OpenSSL's
	kb_csv "$KB" -A 1 || { STATUS=1; break; }
	for z in $AEAD_SIZES; do
		k=$(awk -F'","' -v z="$z" 'NR > 1 { s = $1; gsub(/"/, "", s);
		    if (s == z) printf "%.1f\n", $2 / 1e6 }' "$TMP/kc.out")
		o=-
		a=-
		if [ $HAVE_OPENSSL -eq 1 ]; then
			o=$(openssl_speed "$z")
			a=$(openssl_speed "$z" -aead)
		fi
		echo "${k:--} $o $(ratio "${k:--}" "$o") $a" \
		    "$(ratio "${k:--}" "$a")" >>"$TMP/aead.$z"
	done

	# shellcheck disable=SC2046 # the fields of one line, split on purpose
	set -- $(tail -n 1 "$TMP/sl")
	echo "secured run $run: $SEC_C x 16${SPLIT_NODE:+ on CPUs of their own}" \
	    "plain $1/s, secured $2/s ($3, $9 frames a record);" \
	    "unpinned $(tail -n 1 "$TMP/su" | awk '{ printf "plain %s/s," \
	    " secured %s/s (%s)", $1, $2, $3 }'); 10 MiB plain $pms ms," \
	    "secured $sms ms; handshake up plain $phs us, secured $shs us;" \
	    "aead_seal 65519 B $(tail -n 1 "$TMP/aead.65519" | cut -d' ' -f1) MB/s"
	set --
	run=$((run + 1))
done
if [ $SEC_OK -eq 1 ]; then
	stop $PL_PID
	stop $SEC_PID
fi

# --- the tables --------------------------------------------------------------

ms() {
	awk -v a="$1" 'BEGIN { if (a == "-") print "-"; else printf "%.1f\n", a / 1000 }'
}

echo
echo "=== kaipeer vs redis, medians of $RUNS runs"
echo "kaipeer -q:      $KB -p $KP_PORT -c C -n N -P D --csv   ('calc 1+2', expects 3)"
echo "                 against $KP -q node.json"
echo "kaipeer default: $KB -p $DEF_PORT -c C -n N -P D --csv"
echo "                 against $KP def.json >pipe, another process reading it"
if [ $HAVE_REDIS -eq 1 ]; then
	echo "redis:           redis-benchmark -p $R_PORT -t ping_mbulk -q -c C" \
	    "-n N -P D (PING_MBULK, as in -t ping)"
else
	echo "redis:           not installed; apt-get install redis-server, then" \
	    "make bench"
fi
[ -z "$PIN" ] || echo "with 1 client, the server and the client share CPU 0" \
    "($PIN), kaipeer and redis alike"
echo "ratios are medians of the per-run ratios; goals: default/-q >= 0.80," \
    "default/redis >= 1.00"
echo
printf '%7s %5s %8s | %10s %10s %10s | %5s %6s %5s | %6s %6s %6s | %s\n' \
    clients depth n "-q/s" "default/s" "redis/s" "-q/r" "def/-q" "def/r" \
    "p50 -q" "p50 d" "p50 r" goals
while read -r C D N krps kp50 kcpu kbusy drps dp50 dcpu dbusy rrps rp50 rcpu \
    rbusy q dq dr; do
	goals=$(awk -v dq="$dq" -v dr="$dr" 'BEGIN { s = "";
	    if (dq == "-") s = s " def/-q?"; else if (dq + 0 < 0.8) s = s " def/-q";
	    if (dr != "-" && dr + 0 < 1.0) s = s " def/r";
	    if (s == "") print "met"; else print "missed:" s }')
	printf '%7s %5s %8s | %10s %10s %10s | %5s %6s %5s | %6s %6s %6s | %s\n' \
	    "$C" "$D" "$N" "$krps" "$drps" "$rrps" "$q" "$dq" "$dr" "$kp50" \
	    "$dp50" "$rp50" "$goals"
done <"$TMP/cases"
echo "lines of output the default-mode node dropped (its pipe full): $DROPPED"
echo
echo "CPU: the server's user+system time per request (us), and how busy the"
echo "client was (its CPU time over the run; near 100% it set the pace)"
printf '%7s %5s | %7s %7s %7s %6s %6s | %8s %8s %8s\n' clients depth \
    "-q" "default" "redis" "-q/r" "def/-q" "client q" "client d" "client r"
while read -r C D N krps kp50 kcpu kbusy drps dp50 dcpu dbusy rrps rp50 rcpu \
    rbusy q dq dr; do
	printf '%7s %5s | %7s %7s %7s %6s %6s | %8s %8s %8s\n' "$C" "$D" \
	    "$kcpu" "$dcpu" "$rcpu" "$(ratio "$kcpu" "$rcpu")" \
	    "$(ratio "$dcpu" "$kcpu")" "$kbusy" "$dbusy" "$rbusy"
done <"$TMP/cases"

echo
echo "=== scale: one node, depth 1, medians of $RUNS runs"
printf '%11s %8s | %11s %8s\n' connections n "kaipeer/s" "p50 ms"
while read -r C N rps p50; do
	printf '%11s %8s | %11s %8s\n' "$C" "$N" "$rps" "$p50"
done <"$TMP/scale"

echo
echo "=== handshakes: $HANDSHAKES in a row against a fresh node, medians of" \
    "$RUNS runs"
echo "${PIN:+$PIN }$KB -p P -H $HANDSHAKES --csv: each connects, exchanges"
echo "HELLOs, says BYE; the node hangs up; then the next"
if [ -n "$PIN" ]; then
	echo "node and client both on CPU 0 (taskset): the wall time of a" \
	    "handshake is the CPU time of both ends"
fi
set -- $HS
printf '%-34s %11s %11s %10s\n' "" "first tenth" "last tenth" "last/first"
printf '%-34s %11s %11s %10s\n' "wall time per handshake (us)" "$1" "$2" "$3"
printf '%-34s %11s %11s %10s\n' "median handshake (us)" "$4" "$5" "$6"
echo "handshakes per second, all:        ${8:--}"
echo "node CPU per handshake, all:       ${7:--} us"
set --

echo
echo "=== memory: RSS (VmRSS) of a fresh node"
echo "idle:                           $RSS0 KiB"
echo "with 1000 connections open:     $RSS1 KiB"
echo "after they closed:              $RSS2 KiB"
echo "per connection:                 $PER KiB   (RSS_1000 - RSS_idle) / 1000;" \
    "goal: under 16 KiB"

echo
echo "=== fan-out: one command to $FANOUT nodes at once, medians of $RUNS runs"
echo "$KB -F fanout.json -n $FAN_ROUNDS --csv: a node built from the library"
echo "dials the $FANOUT nodes, then sends 'calc 1+2' to all of them at once"
echo "(kaipeer_send \"*\", the fanout behind '@* calc 1+2'), $FAN_ROUNDS times, and to"
echo "one of them, one at a time, 200 times"
echo "send to the last of $FANOUT results:  $FAN ms   (best round: $FANMIN ms)"
echo "one round trip, one peer:         $ONE us"
echo "$FANOUT results cost as much as $(awk -v f="$FAN" -v o="$ONE" 'BEGIN {
    if (f == "-" || o + 0 <= 0) print "-"; else printf "%.0f", f * 1000 / o }') round trips to one peer"

echo
echo "=== secured links: the same node plain and secured (Noise XX," \
    "ChaCha20-Poly1305), medians of $RUNS runs"
echo "plain:   $KP -q plain.json  {maxFrameSize 64 MiB, maxResultSize 16 MiB," \
    "exec big: cat a 10 MiB file}"
echo "secured: $KP -q sec.json    the same, with identity, listenAddress" \
    "127.0.0.1, trusted: the bench's key"
echo "kaipeer-bench -K bench.key dials one connection every 50 ms (the node" \
    "takes 20 handshakes a second"
echo "from one address), and a refused one again 250 ms later; a load" \
    "run's clock starts once all are up"
if [ $SEC_OK -eq 1 ]; then
	printf '%-40s %10s %10s %9s   %s\n' "" plain secured "sec/plain" \
	    "per-run ratios"
	runs() {
		cut -d' ' -f"$2" "$TMP/$1" | tr '\n' ' ' | sed 's/ $//; s/ /, /g'
	}
	if [ -n "$SPLIT_NODE" ]; then
		where="node on CPU 1, client on CPU 0"
	else
		where="where the scheduler put them"
	fi
	printf '%-40s %10s %10s %9s   %s\n' \
	    "requests/s, $SEC_C x 16 'calc 1+2'" "$(m sl 1)" "$(m sl 2)" \
	    "$(m sl 3)" "$(runs sl 3)"
	printf '%-40s %10s %10s %9s   %s\n' "  ($where)" "" "" "" ""
	printf '%-40s %10s %10s %9s   %s\n' "node CPU per request (us)" \
	    "$(m sl 4)" "$(m sl 5)" "$(m sl 6)" "$(runs sl 6)"
	printf '%-40s %10s %10s\n' "kaipeer-bench busy (CPU time / run)" \
	    "$(m sl 7)" "$(m sl 8)"
	printf '%-40s %10s %10s\n' "frames per record (secured, by the bench)" \
	    "sent $(m sl 9)" "recv $(m sl 10)"
	printf '%-40s %10s %10s %9s   %s\n' \
	    "requests/s, the same, unpinned" "$(m su 1)" "$(m su 2)" \
	    "$(m su 3)" "$(runs su 3)"
	printf '%-40s %10s %10s %9s   %s\n' "node CPU per request, unpinned (us)" \
	    "$(m su 4)" "$(m su 5)" "$(m su 6)" "$(runs su 6)"
	printf '%-40s %10s %10s\n' "kaipeer-bench busy, unpinned" \
	    "$(m su 7)" "$(m su 8)"
	printf '%-40s %10s %10s %9s   %s\n' "10 MiB result: command to result (ms)" \
	    "$(m sb 1)" "$(m sb 2)" "$(m sb 6)" "$(runs sb 6)"
	printf '%-40s %10s %10s %9s   %s\n' "10 MiB result: MB/s" "$(m sb 3)" \
	    "$(m sb 4)" "$(m sb 5)" "$(runs sb 5)"
	printf '%-40s %10s %10s %9s   %s\n' "handshake, connect to link up (us)" \
	    "$(m sh 1)" "$(m sh 2)" "$(m sh 3)" "$(runs sh 3)"
	awk -v r="$(m sl 3)" -v u="$(m su 3)" 'BEGIN {
	    printf "goal: secured/plain requests/s >= 0.70: %s (%s), unpinned" \
	    " %s (%s)\n", r == "-" ? "?" : (r + 0 >= 0.7 ? "met" : "missed"), r,
	    u == "-" ? "?" : (u + 0 >= 0.7 ? "met" : "missed"), u }'
	echo "10 MiB result: kaipeer-bench -c 1 -P 1 -n $BIG_N -t big -M" \
	    "$BIG_FRAME -E big.txt, its p50; handshakes: -H $SEC_HS -r $HS_RATE," \
	    "the median of socket() to the node's HELLO (secured: its first" \
	    "record opened)${PIN:+, node and client on CPU 0}"
	echo
	echo "=== ChaCha20-Poly1305, MB/s (10^6 bytes a second of CPU time)," \
	    "medians of $RUNS runs"
	echo "kaipeer: $KB -A 1 (aead_seal, 5 bytes of associated data, a new" \
	    "nonce each call; 65519 bytes: a full record)"
	if [ $HAVE_OPENSSL -eq 1 ]; then
		echo "openssl: openssl speed -mr -seconds 1 -bytes SIZE [-aead]" \
		    "-evp chacha20-poly1305 ($(openssl version 2>/dev/null |
		    cut -d' ' -f1-2)); -aead: each buffer a whole message"
	else
		echo "openssl: openssl not installed"
	fi
	printf '%8s %10s %10s %10s %14s %14s\n' bytes kaipeer openssl \
	    "-aead" "kaipeer/openssl" "kaipeer/-aead"
	for z in $AEAD_SIZES; do
		printf '%8s %10s %10s %10s %14s %14s\n' "$z" "$(m "aead.$z" 1)" \
		    "$(m "aead.$z" 2)" "$(m "aead.$z" 4)" "$(m "aead.$z" 3)" \
		    "$(m "aead.$z" 5)"
	done
else
	echo "(not measured: see the messages above)"
fi

# --- 7. a network-wide query: '@**' on 50 and 200 nodes ---------------------

echo
echo "=== network-wide query: '@** calc 1' typed on one node of a network" \
    "where each node has 4 links"
if ! bounded $LIMIT "$KB" --mesh -p $((BASE + 7000)) -n 11; then
	note "bench.sh: kaipeer-bench --mesh failed"
	STATUS=1
fi

ended=$(now_ns)
echo
echo "bench.sh took $(((ended - started) / 1000000000)) s; load average now $(load)"
exit $STATUS
