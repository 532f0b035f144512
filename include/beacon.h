/*
 * beacon: LAN discovery ("lanDiscovery": true).  A node multicasts a small
 * UDP datagram on each local interface, over IPv4 and IPv6, and hears the
 * others' datagrams; a node it hears is handed to the caller as an address
 * to dial.
 *
 * A beacon grants nothing.  It names a cluster (only beacons of ours are
 * reported), a node id (ours are dropped) and a TCP port; the caller dials
 * that address through the normal handshake, which decides everything.
 * Anyone on the LAN can send one, with any id: treat a report as a hint.
 *
 * The codec, beacon_encode() and beacon_decode(), is pure.  The datagram,
 * big-endian, nothing after it:
 *
 *   "KAIB" version:u8 (1) flags:u8 port:u16 id[8]
 *   cluster_len:u8 cluster[cluster_len]
 *
 * port is the sender's TCP listen port (1..65535); cluster is 1 to
 * BEACON_CLUSTER_MAX bytes, compared byte for byte; flag BEACON_F_SECURED
 * says the sender is secured (Noise), other flag bits are sent as 0 and
 * ignored.
 *
 * The rest (beacon_new() and after) runs on the loop: one beacon each
 * interval (+-20%) per interface, reading what arrives, and a callback per
 * peer found, at most once per id every BEACON_REPORT_MS.  Bounds: 64
 * datagrams read per wake-up and socket, 50 datagrams a second (burst 50)
 * looked at beyond that, 256 ids remembered, 32 interfaces.
 */
#ifndef KAIPEER_BEACON_H
#define KAIPEER_BEACON_H

#include <stddef.h>

#include "loop.h"

#define BEACON_MAGIC		"KAIB"
#define BEACON_VERSION		1
#define BEACON_F_SECURED	0x1
#define BEACON_ID_LEN		8	/* as PROTO_NODE_ID */
#define BEACON_CLUSTER_MAX	64
#define BEACON_FIXED		(4 + 1 + 1 + 2 + BEACON_ID_LEN + 1)
#define BEACON_MAX		(BEACON_FIXED + BEACON_CLUSTER_MAX)

#define BEACON_DEFAULT_PORT	14590	/* UDP, "lanPort" */
#define BEACON_INTERVAL_MS	2000
#define BEACON_REPORT_MS	5000	/* one report per id at most this often */
#define BEACON_GROUP4		"239.255.14.90"	/* administratively scoped */
#define BEACON_GROUP6		"ff02::14:90"	/* link-local, per interface */

/* What beacon_decode() refuses, as negative numbers. */
enum beacon_err {
	BEACON_OK = 0,
	BEACON_ESHORT = -1,	/* shorter than its lengths say */
	BEACON_EMAGIC = -2,	/* not "KAIB" */
	BEACON_EVERSION = -3,	/* a version we do not speak */
	BEACON_EPORT = -4,	/* port 0 */
	BEACON_ECLUSTER = -5,	/* cluster length 0 or above the maximum */
	BEACON_ETRAILING = -6	/* bytes after the cluster */
};

/* One datagram, decoded. */
struct beacon_msg {
	unsigned char	 id[BEACON_ID_LEN];
	int		 port;		/* TCP, 1..65535 */
	int		 secured;	/* BEACON_F_SECURED was set */
	size_t		 cluster_len;	/* 1..BEACON_CLUSTER_MAX */
	char		 cluster[BEACON_CLUSTER_MAX + 1];	/* NUL added */
};

/*
 * Encode m into buf[0..size).  Returns the length (at most BEACON_MAX),
 * or -1 if m's port or cluster length is out of range or size too small.
 */
long	beacon_encode(unsigned char *buf, size_t size,
	    const struct beacon_msg *m);

/* Decode buf[0..len) into m: BEACON_OK or a negative enum beacon_err. */
int	beacon_decode(const unsigned char *buf, size_t len,
	    struct beacon_msg *m);

/* --- on the loop ---------------------------------------------------------- */

struct beacon_conf {
	unsigned char	 id[BEACON_ID_LEN];	/* ours: never reported */
	int		 listen_port;	/* our TCP port, 1..65535 */
	int		 secured;	/* we speak Noise */
	const char	*cluster;	/* 1..BEACON_CLUSTER_MAX bytes; copied */
	int		 udp_port;	/* 0: BEACON_DEFAULT_PORT */
	int		 interval_ms;	/* 0: BEACON_INTERVAL_MS; at least 10 */
	int		 loopback;	/* we listen on loopback alone: beacons
					   go over it alone, to this machine */
};

/*
 * A peer of our cluster was heard: ip is the datagram's source in numeric
 * text (never IPv6 link-local), port and secured what it announced, id its
 * node id (BEACON_ID_LEN bytes).  ip and id are valid during the call.
 * The callback may call beacon_free().
 */
typedef void (*beacon_found_fn)(void *ctx, const char *ip, int port,
    const unsigned char *id, int secured);

struct beacon_stats {
	unsigned long	 sent;		/* datagrams sent */
	unsigned long	 send_errors;	/* sends that failed */
	unsigned long	 received;	/* datagrams read */
	unsigned long	 ignored;	/* over the rate, malformed, another
					 * cluster, or a source not to dial */
	unsigned long	 own;		/* ours, looped back */
	unsigned long	 reported;	/* calls of the callback */
	int		 ifaces;	/* interfaces joined, both families */
};

struct beacon;

/*
 * Start beaconing on l: bind UDP port conf->udp_port on IPv4 and IPv6
 * (shared with other nodes on this host), join the groups on every
 * interface that is up and has multicast (none: IPv4 on the loopback, so
 * that nodes on one host still find each other), and send the first
 * beacon within 100 ms.  Interfaces are looked at again every ten
 * intervals.  Returns the beacon, or NULL with a message in
 * err[0..errsize) when conf is invalid or neither family has a socket.
 */
struct beacon *beacon_new(struct loop *l, const struct beacon_conf *conf,
	    beacon_found_fn fn, void *ctx, char *err, size_t errsize);

/* Stop, close every socket and free b; NULL is allowed. */
void	beacon_free(struct beacon *b);

/* Copy b's counters into st. */
void	beacon_stats(const struct beacon *b, struct beacon_stats *st);

#endif
