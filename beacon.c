/*
 * beacon: LAN discovery (contract in include/beacon.h).
 *
 * The codec is pure.  The rest owns one UDP socket per family, bound to
 * the wildcard address and the beacon port and shared with the other
 * nodes of this host (SO_REUSEADDR, SO_REUSEPORT), and a table of the
 * interfaces that carry beacons, rebuilt from getifaddrs() every ten
 * intervals.  IPv4 beacons leave through the IPv4 socket, its
 * IP_MULTICAST_IF set per interface.  For a link-local group IPv6 picks a
 * link-local source, which a peer cannot dial without a scope id; so an
 * interface with a routable IPv6 address gets a socket bound to it for
 * sending, and one without sends no IPv6 beacon (it still hears them).
 * Multicast loops back to this host; TTL and hop limit are 1.
 *
 * It never grants anything, blocks, prints, or allocates after
 * beacon_new().  Every datagram read passes a token bucket before it is
 * looked at; a send that fails is counted and forgotten.
 */
#define _DEFAULT_SOURCE		/* getifaddrs() and IFF_* outside POSIX */
#include <sys/types.h>
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "beacon.h"
#include "loop.h"
#include "random.h"

#define IFACES_MAX	32	/* interfaces, both families together */
#define READ_MAX	64	/* datagrams per wake-up and socket */
#define RATE_PER_S	50	/* datagrams looked at, per second */
#define RATE_BURST	50
#define SEEN_MAX	256	/* ids remembered for BEACON_REPORT_MS */
#define RESCAN_EVERY	10	/* intervals between looks at interfaces */
#define FIRST_MS	100	/* the first beacon, at most this late */
#define INTERVAL_MIN	10

union sa {
	struct sockaddr		sa;
	struct sockaddr_in	s4;
	struct sockaddr_in6	s6;
	struct sockaddr_storage	ss;
};

struct iface {
	int		 family;
	unsigned	 index;
	struct in_addr	 a4;		/* AF_INET: our address there */
	int		 fd;		/* AF_INET6: bound to a routable one */
};

struct seen {
	unsigned char	 id[BEACON_ID_LEN];
	long long	 at;		/* when last reported */
	int		 used;
};

struct beacon {
	struct loop	*loop;
	int		 fd4, fd6;
	int		 port;		/* UDP */
	int		 interval;
	struct beacon_msg self;		/* our id and cluster */
	unsigned char	 dgram[BEACON_MAX];	/* what we send */
	size_t		 dgram_len;
	struct sockaddr_in  group4;
	struct sockaddr_in6 group6;
	struct iface	 ifs[IFACES_MAX];
	int		 nifs;
	int		 ticks;		/* intervals since the last scan */
	long long	 tokens;	/* rate limit, in thousandths */
	long long	 refill;	/* when tokens were last added */
	struct seen	 seen[SEEN_MAX];
	struct beacon_stats st;
	beacon_found_fn	 fn;
	void		*ctx;
	int		 loopback;	/* the IPv4 loopback alone */
	int		 reading;	/* inside readable(): free there */
	int		 dead;
	struct loop_timer timer;
};

/* --- the codec ------------------------------------------------------------ */

long
beacon_encode(unsigned char *buf, size_t size, const struct beacon_msg *m)
{
	size_t n = BEACON_FIXED + m->cluster_len;

	if (m->port < 1 || m->port > 65535 || m->cluster_len < 1 ||
	    m->cluster_len > BEACON_CLUSTER_MAX || size < n)
		return -1;
	memcpy(buf, BEACON_MAGIC, 4);
	buf[4] = BEACON_VERSION;
	buf[5] = m->secured ? BEACON_F_SECURED : 0;
	buf[6] = (unsigned char)(m->port >> 8);
	buf[7] = (unsigned char)(m->port & 0xff);
	memcpy(buf + 8, m->id, BEACON_ID_LEN);
	buf[BEACON_FIXED - 1] = (unsigned char)m->cluster_len;
	memcpy(buf + BEACON_FIXED, m->cluster, m->cluster_len);
	return (long)n;
}

int
beacon_decode(const unsigned char *buf, size_t len, struct beacon_msg *m)
{
	size_t clen;

	if (len >= 4 && memcmp(buf, BEACON_MAGIC, 4) != 0)
		return BEACON_EMAGIC;
	if (len >= 5 && buf[4] != BEACON_VERSION)
		return BEACON_EVERSION;
	if (len < BEACON_FIXED)
		return BEACON_ESHORT;
	if (buf[6] == 0 && buf[7] == 0)
		return BEACON_EPORT;
	clen = buf[BEACON_FIXED - 1];
	if (clen < 1 || clen > BEACON_CLUSTER_MAX)
		return BEACON_ECLUSTER;
	if (len != BEACON_FIXED + clen)
		return len < BEACON_FIXED + clen ? BEACON_ESHORT :
		    BEACON_ETRAILING;
	m->secured = (buf[5] & BEACON_F_SECURED) != 0;
	m->port = buf[6] << 8 | buf[7];
	memcpy(m->id, buf + 8, BEACON_ID_LEN);
	m->cluster_len = clen;
	memcpy(m->cluster, buf + BEACON_FIXED, clen);
	m->cluster[clen] = '\0';
	return BEACON_OK;
}

/* --- sockets -------------------------------------------------------------- */

/*
 * A non-blocking UDP socket bound to addr (NULL: the wildcard) and port,
 * shared with other sockets if asked, its multicast looped back with one
 * hop.  Returns it, or -1 with errno set.
 */
static int
udp_open(int family, const void *addr, int port, int shared)
{
	union sa u;
	unsigned char c = 1;
	int fd, one = 1, e;

	memset(&u, 0, sizeof(u));
	if (family == AF_INET) {
		u.s4.sin_family = AF_INET;
		u.s4.sin_port = htons((unsigned short)port);
		if (addr != NULL)
			memcpy(&u.s4.sin_addr, addr, sizeof(u.s4.sin_addr));
	} else {
		u.s6.sin6_family = AF_INET6;
		u.s6.sin6_port = htons((unsigned short)port);
		if (addr != NULL)
			memcpy(&u.s6.sin6_addr, addr, sizeof(u.s6.sin6_addr));
	}
	if ((fd = socket(family, SOCK_DGRAM, 0)) == -1)
		return -1;
	if (shared) {
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
#ifdef SO_REUSEPORT
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one,
		    sizeof(one));
#endif
	}
	if (family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
	if (loop_nonblock(fd) == -1 || bind(fd, &u.sa, family == AF_INET ?
	    sizeof(u.s4) : sizeof(u.s6)) == -1) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (family == AF_INET) {	/* a byte: what every system takes */
		(void)setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &c, 1);
		(void)setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &c, 1);
	} else {
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &one,
		    sizeof(one));
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &one,
		    sizeof(one));
	}
	return fd;
}

/* --- interfaces ----------------------------------------------------------- */

static void
drop_ifaces(struct beacon *b)
{
	int i;

	for (i = 0; i < b->nifs; i++)
		if (b->ifs[i].fd != -1)
			close(b->ifs[i].fd);
	b->nifs = 0;
}

/* Join our group on one interface; 0, or -1 if it cannot be joined. */
static int
join(struct beacon *b, int family, unsigned index, struct in_addr a4)
{
	struct ip_mreq m4;
	struct ipv6_mreq m6;
	int r;

	if (family == AF_INET) {
		m4.imr_multiaddr = b->group4.sin_addr;
		m4.imr_interface = a4;
		r = setsockopt(b->fd4, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m4,
		    sizeof(m4));
	} else {
		m6.ipv6mr_multiaddr = b->group6.sin6_addr;
		m6.ipv6mr_interface = index;
		r = setsockopt(b->fd6, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m6,
		    sizeof(m6));
	}
	return r == -1 && errno != EADDRINUSE ? -1 : 0;	/* joined before */
}

/* Take one address of interface index into the table. */
static void
add_iface(struct beacon *b, const union sa *u, unsigned index)
{
	int family = u->sa.sa_family, i;
	struct in_addr a4;
	struct iface *f = NULL;

	memset(&a4, 0, sizeof(a4));
	if (family == AF_INET)
		a4 = u->s4.sin_addr;
	for (i = 0; i < b->nifs && f == NULL; i++)
		if (b->ifs[i].family == family && b->ifs[i].index == index)
			f = &b->ifs[i];
	if (f == NULL) {
		if (b->nifs == IFACES_MAX || join(b, family, index, a4) == -1)
			return;
		f = &b->ifs[b->nifs++];
		f->family = family;
		f->index = index;
		f->a4 = a4;
		f->fd = -1;
	}
	if (family == AF_INET6 && f->fd == -1 &&
	    !IN6_IS_ADDR_LINKLOCAL(&u->s6.sin6_addr) &&
	    (f->fd = udp_open(AF_INET6, &u->s6.sin6_addr, 0, 0)) != -1)
		(void)setsockopt(f->fd, IPPROTO_IPV6, IPV6_MULTICAST_IF,
		    &index, sizeof(index));
}

/* Does ifa carry beacons: up with multicast, or else the IPv4 loopback? */
static int
usable(const struct beacon *b, const struct ifaddrs *ifa, int loopback)
{
	int family;

	if (ifa->ifa_addr == NULL || !(ifa->ifa_flags & IFF_UP))
		return 0;
	family = ifa->ifa_addr->sa_family;
	if ((family != AF_INET || b->fd4 == -1) &&
	    (family != AF_INET6 || b->fd6 == -1))
		return 0;
	if (loopback)
		return family == AF_INET && (ifa->ifa_flags & IFF_LOOPBACK);
	return (ifa->ifa_flags & IFF_MULTICAST) != 0;
}

/*
 * Rebuild the table.  With no IPv4 interface that has multicast (or when
 * we listen on loopback alone), IPv4 on the loopback: Linux carries
 * multicast there even without the flag, so nodes on one host find each
 * other (IPv6 has no route for it there).
 */
static void
scan(struct beacon *b)
{
	struct ifaddrs *all, *ifa;
	unsigned index;
	int pass, i, has4 = 0;

	if (getifaddrs(&all) == -1)
		return;		/* keep the table we have */
	drop_ifaces(b);
	for (pass = b->loopback; pass < 2 && !has4; pass++) {
		for (ifa = all; ifa != NULL; ifa = ifa->ifa_next)
			if (usable(b, ifa, pass) &&
			    (index = if_nametoindex(ifa->ifa_name)) != 0)
				add_iface(b, (const union sa *)(const void *)
				    ifa->ifa_addr, index);
		for (i = 0; i < b->nifs; i++)
			has4 |= b->ifs[i].family == AF_INET;
	}
	freeifaddrs(all);
	b->st.ifaces = b->nifs;
}

/* --- sending -------------------------------------------------------------- */

static void
send_one(struct beacon *b, const struct iface *f)
{
	struct sockaddr_in6 to6;
	ssize_t r = -1;

	if (f->family == AF_INET) {
		if (setsockopt(b->fd4, IPPROTO_IP, IP_MULTICAST_IF, &f->a4,
		    sizeof(f->a4)) == 0)
			r = sendto(b->fd4, b->dgram, b->dgram_len, 0,
			    (const struct sockaddr *)&b->group4,
			    sizeof(b->group4));
	} else {
		if (f->fd == -1)
			return;		/* no routable source: none to send */
		to6 = b->group6;
		to6.sin6_scope_id = f->index;
		r = sendto(f->fd, b->dgram, b->dgram_len, 0,
		    (const struct sockaddr *)&to6, sizeof(to6));
	}
	if (r == -1)
		b->st.send_errors++;
	else
		b->st.sent++;
}

/* Arm the next beacon: within FIRST_MS if ms is 0, else ms +-20%. */
static void
arm(struct beacon *b, int ms)
{
	unsigned char r[2];
	int x;

	random_bytes(r, sizeof(r));
	x = r[0] << 8 | r[1];
	/* The jitter keeps nodes started together from staying in step. */
	if (ms == 0)
		ms = x % FIRST_MS;
	else
		ms = (int)((long long)ms * (80 + x % 41) / 100);
	(void)loop_timer_at(b->loop, &b->timer, loop_now(b->loop) + ms);
}

static void
tick(void *ctx)
{
	struct beacon *b = ctx;
	int i;

	if (++b->ticks >= RESCAN_EVERY) {
		b->ticks = 0;
		scan(b);
	}
	for (i = 0; i < b->nifs; i++)
		send_one(b, &b->ifs[i]);
	arm(b, b->interval);
}

/* --- receiving ------------------------------------------------------------ */

/* May one more datagram be looked at?  A bucket of RATE_BURST tokens. */
static int
take_token(struct beacon *b)
{
	long long now = loop_now(b->loop);

	b->tokens += (now - b->refill) * RATE_PER_S;
	b->refill = now;
	if (b->tokens > RATE_BURST * 1000LL)
		b->tokens = RATE_BURST * 1000LL;
	if (b->tokens < 1000)
		return 0;
	b->tokens -= 1000;
	return 1;
}

/* Is it time to report id (again)?  If so, remember that we do. */
static int
due(struct beacon *b, const unsigned char *id)
{
	long long now = loop_now(b->loop);
	struct seen *s, *old = &b->seen[0];
	int i;

	for (i = 0; i < SEEN_MAX; i++) {
		s = &b->seen[i];
		if (s->used && memcmp(s->id, id, BEACON_ID_LEN) == 0) {
			if (now - s->at < BEACON_REPORT_MS)
				return 0;
			s->at = now;
			return 1;
		}
		if (old->used && (!s->used || s->at < old->at))
			old = s;	/* a free slot, else the oldest */
	}
	memcpy(old->id, id, BEACON_ID_LEN);
	old->at = now;
	old->used = 1;
	return 1;
}

/* The source as text, or -1 for one we cannot or should not dial. */
static int
source_ip(const union sa *u, socklen_t len, char *ip, size_t size)
{
	const struct in6_addr *a6 = &u->s6.sin6_addr;
	unsigned long a4;

	if (u->sa.sa_family == AF_INET && len >= sizeof(u->s4)) {
		a4 = ntohl(u->s4.sin_addr.s_addr);
		if (a4 == 0 || a4 >= 0xe0000000UL)	/* multicast and up */
			return -1;
		return inet_ntop(AF_INET, &u->s4.sin_addr, ip, size) ? 0 : -1;
	}
	if (u->sa.sa_family != AF_INET6 || len < sizeof(u->s6) ||
	    IN6_IS_ADDR_LINKLOCAL(a6) || IN6_IS_ADDR_UNSPECIFIED(a6) ||
	    IN6_IS_ADDR_MULTICAST(a6) || IN6_IS_ADDR_V4MAPPED(a6))
		return -1;
	return inet_ntop(AF_INET6, a6, ip, size) ? 0 : -1;
}

/* One datagram read: drop it, or report its sender when due. */
static void
heard(struct beacon *b, const unsigned char *buf, size_t len,
    const union sa *from, socklen_t fromlen)
{
	struct beacon_msg m;
	char ip[INET6_ADDRSTRLEN];

	if (!take_token(b) || beacon_decode(buf, len, &m) != BEACON_OK ||
	    m.cluster_len != b->self.cluster_len ||
	    memcmp(m.cluster, b->self.cluster, m.cluster_len) != 0)
		b->st.ignored++;
	else if (memcmp(m.id, b->self.id, BEACON_ID_LEN) == 0)
		b->st.own++;
	else if (source_ip(from, fromlen, ip, sizeof(ip)) == -1)
		b->st.ignored++;
	else if (due(b, m.id)) {
		b->st.reported++;
		b->fn(b->ctx, ip, m.port, m.id, m.secured);
	}
}

static void
readable(void *ctx, int fd, int events)
{
	struct beacon *b = ctx;
	unsigned char buf[BEACON_MAX + 1];	/* one more: too long shows */
	union sa from;
	socklen_t fromlen;
	ssize_t r;
	int i;

	(void)events;
	b->reading = 1;
	for (i = 0; i < READ_MAX && !b->dead; i++) {
		fromlen = sizeof(from);
		r = recvfrom(fd, buf, sizeof(buf), 0, &from.sa, &fromlen);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			break;	/* EAGAIN, or an error now cleared */
		b->st.received++;
		heard(b, buf, (size_t)r, &from, fromlen);
	}
	b->reading = 0;
	if (b->dead)
		free(b);
}

/* --- the beacon ----------------------------------------------------------- */

/* Check conf and make our beacon of it; 0, or -1 with err filled. */
static int
conf_msg(const struct beacon_conf *conf, struct beacon_msg *m, char *err,
    size_t errsize)
{
	size_t len = conf->cluster != NULL ? strlen(conf->cluster) : 0;

	if (len < 1 || len > BEACON_CLUSTER_MAX)
		snprintf(err, errsize, "cluster name must have 1 to %d bytes",
		    BEACON_CLUSTER_MAX);
	else if (conf->listen_port < 1 || conf->listen_port > 65535)
		snprintf(err, errsize, "listen port %d out of range",
		    conf->listen_port);
	else if (conf->udp_port < 0 || conf->udp_port > 65535)
		snprintf(err, errsize, "UDP port %d out of range",
		    conf->udp_port);
	else {
		memset(m, 0, sizeof(*m));
		memcpy(m->id, conf->id, BEACON_ID_LEN);
		m->port = conf->listen_port;
		m->secured = conf->secured != 0;
		m->cluster_len = len;
		memcpy(m->cluster, conf->cluster, len);
		return 0;
	}
	return -1;
}

/* The socket of family on our port, watched; -1 with errno set. */
static int
open_watched(struct beacon *b, int family)
{
	int fd;

	if ((fd = udp_open(family, NULL, b->port, 1)) == -1)
		return -1;
	if (loop_watch(b->loop, fd, LOOP_READ, readable, b) == -1) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	return fd;
}

struct beacon *
beacon_new(struct loop *l, const struct beacon_conf *conf, beacon_found_fn fn,
    void *ctx, char *err, size_t errsize)
{
	struct beacon *b;
	struct beacon_msg m;
	int e4, e6;

	if (conf_msg(conf, &m, err, errsize) == -1)
		return NULL;
	if ((b = calloc(1, sizeof(*b))) == NULL) {
		snprintf(err, errsize, "%s", strerror(ENOMEM));
		return NULL;
	}
	b->loop = l;
	b->fn = fn;
	b->ctx = ctx;
	b->self = m;
	b->dgram_len = (size_t)beacon_encode(b->dgram, sizeof(b->dgram), &m);
	b->port = conf->udp_port > 0 ? conf->udp_port : BEACON_DEFAULT_PORT;
	b->loopback = conf->loopback != 0;
	b->interval = conf->interval_ms > 0 ? conf->interval_ms :
	    BEACON_INTERVAL_MS;
	if (b->interval < INTERVAL_MIN)
		b->interval = INTERVAL_MIN;
	b->group4.sin_family = AF_INET;
	b->group4.sin_port = htons((unsigned short)b->port);
	(void)inet_pton(AF_INET, BEACON_GROUP4, &b->group4.sin_addr);
	b->group6.sin6_family = AF_INET6;
	b->group6.sin6_port = b->group4.sin_port;
	(void)inet_pton(AF_INET6, BEACON_GROUP6, &b->group6.sin6_addr);
	b->tokens = RATE_BURST * 1000LL;
	b->refill = loop_now(l);
	loop_timer_init(&b->timer, tick, b);
	e4 = (b->fd4 = open_watched(b, AF_INET)) == -1 ? errno : 0;
	e6 = (b->fd6 = open_watched(b, AF_INET6)) == -1 ? errno : 0;
	if (b->fd4 == -1 && b->fd6 == -1) {
		/* A family the host lacks says less than the other's error. */
		snprintf(err, errsize, "UDP port %d: %s", b->port, strerror(
		    e4 == EAFNOSUPPORT || e4 == EADDRNOTAVAIL ? e6 : e4));
		free(b);
		return NULL;
	}
	scan(b);
	arm(b, 0);
	return b;
}

void
beacon_free(struct beacon *b)
{
	if (b == NULL || b->dead)
		return;
	loop_timer_stop(b->loop, &b->timer);
	drop_ifaces(b);
	if (b->fd4 != -1) {
		loop_unwatch(b->loop, b->fd4);
		close(b->fd4);
	}
	if (b->fd6 != -1) {
		loop_unwatch(b->loop, b->fd6);
		close(b->fd6);
	}
	b->dead = 1;
	if (!b->reading)
		free(b);	/* else readable() frees it on its way out */
}

void
beacon_stats(const struct beacon *b, struct beacon_stats *st)
{
	*st = b->st;
}
