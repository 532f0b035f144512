/*
 * net: sockets on the loop (contract in include/net.h).
 *
 * Every socket is non-blocking and close-on-exec; a connect is finished by
 * getsockopt(SO_ERROR) when the socket turns writable; accept() runs until
 * EAGAIN.  A connection's watch wants LOOP_READ while it may read and
 * LOOP_WRITE while a connect is in progress or the socket refused part of
 * the output; everything else is written by the turn-end hook, in one
 * write per dirty connection.  Nothing here prints or exits: failures
 * reach the owner through its callbacks.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "net.h"

#define READ_CHUNK	16384	/* read() at most this much per turn */
#define OUT_START	4096	/* first size of an output buffer */
#define OUT_KEEP	16384	/* an empty output buffer larger shrinks */
#define ACCEPT_PAUSE_MS	100	/* out of descriptors: wait this long */

#ifdef MSG_NOSIGNAL
#define SEND_FLAGS	MSG_NOSIGNAL
#else
#define SEND_FLAGS	0
#endif

struct net {
	struct loop	*loop;
	int		 lfd[2];
	int		 nlisten;
	size_t		 in_max;
	size_t		 out_max;
	net_accept_fn	 accepted;
	void		*ctx;
	struct conn	*all;		/* every connection */
	struct conn	*dirty;		/* to write at the end of the turn */
	struct conn	*dead;		/* to free at the end of the turn */
	int		 count;		/* connections not dead */
	unsigned char	*scratch;	/* READ_CHUNK: shared input */
	struct loop_timer accept_timer;
};

static void conn_event(void *ctx, int fd, int events);
static void mark_dead(struct conn *c);

/* A closing connection's time to write its output is up. */
static void
linger_over(void *ctx)
{
	mark_dead(ctx);
}

/* --- small helpers ------------------------------------------------------ */

static void
tune_socket(int fd)
{
	int one = 1;

	/* Commands are small and latency matters more than packet count. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
#ifdef SO_NOSIGPIPE
	(void)setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof(one));
#endif
}

/* --- the net ------------------------------------------------------------ */

static void flush_dirty(void *ctx);

static void
resume_accept(void *ctx)
{
	struct net *n = ctx;
	int i;

	for (i = 0; i < n->nlisten; i++)
		loop_want(n->loop, n->lfd[i], LOOP_READ);
}

struct net *
net_new(struct loop *l, size_t in_max, size_t out_max, net_accept_fn accepted,
    void *ctx)
{
	struct net *n;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	n->loop = l;
	n->in_max = in_max;
	n->out_max = out_max;
	n->accepted = accepted;
	n->ctx = ctx;
	n->lfd[0] = n->lfd[1] = -1;
	loop_timer_init(&n->accept_timer, resume_accept, n);
	if ((n->scratch = malloc(READ_CHUNK)) == NULL ||
	    loop_hook(l, flush_dirty, n) == -1) {
		free(n->scratch);
		free(n);
		return NULL;
	}
	return n;
}

static void
free_conn(struct conn *c)
{
	free(c->addrs);
	free(c->own);
	free(c->out);
	free(c);
}

/* Free the connections that died during the turn. */
static void
reap(struct net *n)
{
	struct conn *c;

	while ((c = n->dead) != NULL) {
		n->dead = c->next;
		free_conn(c);
	}
}

void
net_free(struct net *n)
{
	struct conn *c;
	int i;

	if (n == NULL)
		return;
	while ((c = n->all) != NULL) {
		c->ops = NULL;
		mark_dead(c);
	}
	reap(n);
	for (i = 0; i < n->nlisten; i++) {
		loop_unwatch(n->loop, n->lfd[i]);
		close(n->lfd[i]);
	}
	loop_timer_stop(n->loop, &n->accept_timer);
	free(n->scratch);
	free(n);
}

int
net_count(const struct net *n)
{
	return n->count;
}

int
net_listening(const struct net *n)
{
	return n->nlisten > 0;
}

/* --- connections: state ------------------------------------------------- */

static void
update_watch(struct conn *c)
{
	int ev = 0;

	if (c->fd < 0 || c->state == CONN_DEAD)
		return;
	if (c->state == CONN_CONNECTING)
		ev = LOOP_WRITE;
	else {
		/* Paused, it still reads what fits (a frame): bytes arriving
		 * are what tells the owner the peer is alive. */
		if (c->state == CONN_CLOSING || c->in_len < c->net->in_max)
			ev |= LOOP_READ;
		if (c->blocked && c->out_len > c->out_off)
			ev |= LOOP_WRITE;
	}
	loop_want(c->net->loop, c->fd, ev);
}

static struct conn *
new_conn(struct net *n, int fd)
{
	struct conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->net = n;
	c->fd = fd;
	c->in = c->own;
	loop_timer_init(&c->close_timer, linger_over, c);
	if (fd >= 0 && loop_watch(n->loop, fd, 0, conn_event, c) == -1) {
		free(c);
		return NULL;
	}
	c->next = n->all;
	if (n->all != NULL)
		n->all->prev = c;
	n->all = c;
	n->count++;
	return c;
}

/* Take c off the lists and out of the loop; free it at the turn's end. */
static void
mark_dead(struct conn *c)
{
	struct net *n = c->net;
	struct conn **pp;

	if (c->state == CONN_DEAD)
		return;
	c->state = CONN_DEAD;
	loop_timer_stop(n->loop, &c->close_timer);
	if (c->fd >= 0) {
		loop_unwatch(n->loop, c->fd);
		close(c->fd);
		c->fd = -1;
	}
	if (c->dirty)
		for (pp = &n->dirty; *pp != NULL; pp = &(*pp)->next_dirty)
			if (*pp == c) {
				*pp = c->next_dirty;
				break;
			}
	c->dirty = 0;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		n->all = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->prev = NULL;
	c->next = n->dead;
	n->dead = c;
	n->count--;
}

/* The other end went away: tell the owner, then forget c. */
static void
lost(struct conn *c, int err)
{
	const struct conn_ops *ops = c->ops;

	mark_dead(c);
	c->ops = NULL;
	if (ops != NULL)
		ops->closed(c->ctx, c, err);
}

void
conn_close(struct conn *c, int linger_ms)
{
	if (c->state == CONN_DEAD)
		return;
	c->ops = NULL;
	c->ctx = NULL;
	if (linger_ms <= 0 || c->state != CONN_OPEN ||
	    c->out_len == c->out_off) {
		mark_dead(c);
		return;
	}
	c->state = CONN_CLOSING;
	c->paused = 0;
	(void)loop_timer_at(c->net->loop, &c->close_timer,
	    loop_now(c->net->loop) + linger_ms);
	update_watch(c);
}

void
conn_shutdown(struct conn *c)
{
	c->shut = 1;
	if (c->state == CONN_OPEN && c->out_len == c->out_off && c->fd >= 0)
		(void)shutdown(c->fd, SHUT_WR);
}

void
conn_pause(struct conn *c, int paused)
{
	if (c->paused == paused)
		return;
	c->paused = paused;
	update_watch(c);
}

/* --- output ------------------------------------------------------------- */

size_t
conn_pending(const struct conn *c)
{
	return c->out_len - c->out_off;
}

unsigned char *
conn_space(struct conn *c, size_t need)
{
	size_t pending = c->out_len - c->out_off, ncap;
	unsigned char *p;

	if (c->state >= CONN_CLOSING || need > c->net->out_max - pending)
		return NULL;
	if (c->out_len + need > c->out_cap && c->out_off > 0) {
		memmove(c->out, c->out + c->out_off, pending);
		c->out_off = 0;
		c->out_len = pending;
	}
	if (c->out_len + need > c->out_cap) {
		ncap = c->out_cap > 0 ? c->out_cap : OUT_START;
		while (ncap < c->out_len + need)
			ncap *= 2;
		if ((p = realloc(c->out, ncap)) == NULL)
			return NULL;
		c->out = p;
		c->out_cap = ncap;
	}
	return c->out + c->out_len;
}

size_t
conn_room(const struct conn *c)
{
	size_t pending = c->out_len - c->out_off;

	return pending < c->net->out_max ? c->net->out_max - pending : 0;
}

void
conn_touch(struct conn *c)
{
	conn_commit(c, 0);
}

void
conn_commit(struct conn *c, size_t len)
{
	c->out_len += len;
	if (!c->dirty && !c->blocked && c->state != CONN_CONNECTING) {
		c->dirty = 1;
		c->next_dirty = c->net->dirty;
		c->net->dirty = c;
	}
}

/* Write what is pending, once.  c may die. */
static void
write_conn(struct conn *c)
{
	size_t pending;
	ssize_t w;
	int was_blocked = c->blocked;

	if (c->ops != NULL && c->ops->flushing != NULL &&
	    c->state == CONN_OPEN)
		c->ops->flushing(c->ctx, c);
	if ((pending = c->out_len - c->out_off) == 0)
		return;
	w = send(c->fd, c->out + c->out_off, pending, SEND_FLAGS);
	if (w == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
			c->blocked = 1;
			update_watch(c);
			return;
		}
		if (c->state == CONN_CLOSING)
			mark_dead(c);
		else
			lost(c, errno);
		return;
	}
	if (was_blocked && w > 0)
		c->progress = loop_now(c->net->loop);
	c->out_off += (size_t)w;
	c->blocked = c->out_off < c->out_len;
	if (!c->blocked) {
		c->out_off = c->out_len = 0;
		if (c->out_cap > OUT_KEEP) {
			free(c->out);
			c->out = NULL;
			c->out_cap = 0;
		}
		if (c->state == CONN_CLOSING) {
			mark_dead(c);
			return;
		}
		if (c->shut)
			(void)shutdown(c->fd, SHUT_WR);
	}
	update_watch(c);
	if (c->ops != NULL && c->ops->writable != NULL && c->lowat > 0 &&
	    c->out_len - c->out_off < c->lowat)
		c->ops->writable(c->ctx, c);
}

/* The turn-end hook: one write per connection that has new output. */
static void
flush_dirty(void *ctx)
{
	struct net *n = ctx;
	struct conn *c;

	while ((c = n->dirty) != NULL) {
		n->dirty = c->next_dirty;
		c->dirty = 0;
		if (c->state == CONN_OPEN || c->state == CONN_CLOSING)
			write_conn(c);
	}
	reap(n);
}

/* --- input -------------------------------------------------------------- */

void
conn_consume(struct conn *c, size_t len)
{
	if (len >= c->in_len) {
		c->in_len = 0;
		c->in = c->own;
		return;
	}
	memmove(c->in, c->in + len, c->in_len - len);
	c->in_len -= len;
}

/* Keep what the owner left of a read into the shared buffer. */
static int
keep_rest(struct conn *c)
{
	size_t ncap;
	unsigned char *p;

	if (c->in_len == 0 || c->in == c->own)
		return 0;
	if (c->in_len > c->own_cap) {
		ncap = c->own_cap > 0 ? c->own_cap : 4096;
		while (ncap < c->in_len)
			ncap *= 2;
		if ((p = realloc(c->own, ncap)) == NULL)
			return -1;
		c->own = p;
		c->own_cap = ncap;
	}
	memcpy(c->own, c->in, c->in_len);
	c->in = c->own;
	return 0;
}

static void
read_conn(struct conn *c)
{
	struct net *n = c->net;
	size_t room, ncap;
	unsigned char *p, *buf;
	ssize_t r;

	if (c->in_len == 0) {
		buf = n->scratch;	/* idle connections hold no buffer */
		room = READ_CHUNK;
	} else {
		if (c->in_len == c->own_cap) {
			ncap = c->own_cap * 2;
			if (ncap > n->in_max)
				ncap = n->in_max;
			if (ncap <= c->own_cap ||
			    (p = realloc(c->own, ncap)) == NULL) {
				update_watch(c);
				return;
			}
			c->own = c->in = p;
			c->own_cap = ncap;
		}
		buf = c->own + c->in_len;
		room = c->own_cap - c->in_len;
		if (room > READ_CHUNK)
			room = READ_CHUNK;
	}
	r = read(c->fd, buf, room);
	if (r == 0 || (r == -1 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR)) {
		if (c->state == CONN_CLOSING)
			mark_dead(c);
		else
			lost(c, r == 0 ? 0 : errno);
		return;
	}
	if (r < 0)
		return;
	c->last_rx = loop_now(n->loop);
	if (c->state == CONN_CLOSING)
		return;		/* read and discarded */
	if (buf == n->scratch)
		c->in = n->scratch;
	c->in_len += (size_t)r;
	if (c->ops != NULL && !c->paused)
		c->ops->readable(c->ctx, c);
	if (c->state == CONN_DEAD)
		return;
	if (c->state != CONN_OPEN) {
		c->in_len = 0;		/* closing: the rest is discarded */
		c->in = c->own;
	} else if (keep_rest(c) == -1) {
		lost(c, ENOMEM);
		return;
	}
	update_watch(c);
}

/* --- connecting ----------------------------------------------------------- */

/* Start a non-blocking connect to the next address; -1 when none is left. */
static int
try_next_address(struct conn *c)
{
	struct addr *a;
	int fd, err = ECONNREFUSED;

	while (c->next_addr < c->naddrs) {
		a = &c->addrs[c->next_addr++];
		if ((fd = socket(a->ss.ss_family, SOCK_STREAM, 0)) == -1) {
			err = errno;
			continue;
		}
		if (loop_nonblock(fd) == -1 || (connect(fd,
		    (struct sockaddr *)&a->ss, a->len) == -1 &&
		    errno != EINPROGRESS)) {
			err = errno;
			close(fd);
			continue;
		}
		if (loop_watch(c->net->loop, fd, LOOP_WRITE, conn_event,
		    c) == -1) {
			err = ENOMEM;
			close(fd);
			continue;
		}
		tune_socket(fd);
		c->fd = fd;
		addr_of((struct sockaddr *)&a->ss, a->len, c->ip,
		    sizeof(c->ip), &c->port);
		return 0;
	}
	errno = err;
	return -1;
}

struct conn *
net_dial(struct net *n, const struct addr *addrs, int naddrs,
    const struct conn_ops *ops, void *ctx)
{
	struct conn *c;
	int err;

	if (naddrs > ADDR_MAX)
		naddrs = ADDR_MAX;
	if ((c = new_conn(n, -1)) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	c->outbound = 1;
	c->state = CONN_CONNECTING;
	c->ops = ops;
	c->ctx = ctx;
	if ((c->addrs = malloc((size_t)naddrs * sizeof(*addrs))) == NULL) {
		c->ops = NULL;
		mark_dead(c);
		errno = ENOMEM;
		return NULL;
	}
	memcpy(c->addrs, addrs, (size_t)naddrs * sizeof(*addrs));
	c->naddrs = naddrs;
	if (try_next_address(c) == -1) {
		err = errno;
		c->ops = NULL;
		mark_dead(c);
		errno = err;
		return NULL;
	}
	return c;
}

/* An outbound connect finished (the socket turned writable). */
static void
finish_connect(struct conn *c)
{
	const struct conn_ops *ops = c->ops;
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err == EINPROGRESS)
		return;
	if (err != 0) {
		loop_unwatch(c->net->loop, c->fd);
		close(c->fd);
		c->fd = -1;
		if (try_next_address(c) == 0)
			return;
		mark_dead(c);
		c->ops = NULL;
		if (ops != NULL)
			ops->connected(c->ctx, c, err);
		return;
	}
	c->state = CONN_OPEN;
	c->local_port = addr_local_port(c->fd);
	c->last_rx = c->progress = loop_now(c->net->loop);
	free(c->addrs);		/* connected: no other address to try */
	c->addrs = NULL;
	c->naddrs = c->next_addr = 0;
	update_watch(c);
	if (ops != NULL)
		ops->connected(c->ctx, c, 0);
	/* Output queued while connecting goes out at the turn's end. */
	if (c->state == CONN_OPEN && c->out_len > c->out_off && !c->dirty) {
		c->dirty = 1;
		c->next_dirty = c->net->dirty;
		c->net->dirty = c;
	}
}

static void
conn_event(void *ctx, int fd, int events)
{
	struct conn *c = ctx;

	(void)fd;
	if (c->state == CONN_CONNECTING) {
		finish_connect(c);
		return;
	}
	if (events & LOOP_WRITE && c->out_len > c->out_off) {
		write_conn(c);
		if (c->state == CONN_DEAD)
			return;
	}
	if (events & (LOOP_READ | LOOP_HUP) && loop_wants(c->net->loop,
	    c->fd) & LOOP_READ)
		read_conn(c);
	else if (events & LOOP_HUP && !(events & LOOP_WRITE) &&
	    c->state == CONN_OPEN)
		lost(c, ECONNRESET);
}

/* --- accepting ---------------------------------------------------------- */

static void
pause_accept(struct net *n)
{
	int i;

	for (i = 0; i < n->nlisten; i++)
		loop_want(n->loop, n->lfd[i], 0);
	(void)loop_timer_at(n->loop, &n->accept_timer,
	    loop_now(n->loop) + ACCEPT_PAUSE_MS);
}

static void
accept_all(void *ctx, int lfd, int events)
{
	struct net *n = ctx;
	struct sockaddr_storage ss;
	struct conn *c;
	socklen_t len;
	int fd;

	(void)events;
	for (;;) {
		len = sizeof(ss);
		if ((fd = accept(lfd, (struct sockaddr *)&ss, &len)) == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				pause_accept(n);
			return;
		}
		if (loop_nonblock(fd) == -1 || (c = new_conn(n, fd)) == NULL) {
			close(fd);
			pause_accept(n);
			return;
		}
		tune_socket(fd);
		c->state = CONN_OPEN;
		addr_of((struct sockaddr *)&ss, len, c->ip, sizeof(c->ip),
		    &c->port);
		c->local_port = addr_local_port(fd);
		c->last_rx = c->progress = loop_now(n->loop);
		n->accepted(n->ctx, c);
		update_watch(c);
	}
}

int
net_listen(struct net *n, const char *host, int port, char *err,
    size_t errsize)
{
	struct addrinfo hints, *res, *ai;
	char serv[16], bare[256];
	int fd, one = 1, rc, saved = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	/* Without AI_PASSIVE and a host, getaddrinfo gives loopback. */
	hints.ai_flags = (host == NULL ? AI_PASSIVE : 0) | AI_NUMERICSERV;
	snprintf(serv, sizeof(serv), "%d", port);
	if (host != NULL && host[0] == '[') {	/* "[::1]": the address */
		snprintf(bare, sizeof(bare), "%.*s", (int)strlen(host) - 2,
		    host + 1);
		host = bare;
	}
	if ((rc = getaddrinfo(host != NULL && host[0] != '\0' ? host : NULL,
	    serv, &hints, &res)) != 0) {
		snprintf(err, errsize, "%s", gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL && n->nlisten < 2; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype, 0)) == -1)
			continue;	/* e.g. no IPv6 on this host */
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
		if (ai->ai_family == AF_INET6)
			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			    sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
		    listen(fd, 128) == -1 || loop_nonblock(fd) == -1) {
			/* A family the host lacks is skipped; a port that is
			 * taken is an error whichever family saw it. */
			if (errno != EADDRNOTAVAIL && errno != EAFNOSUPPORT)
				saved = errno;
			close(fd);
			continue;
		}
		if (loop_watch(n->loop, fd, LOOP_READ, accept_all, n) == -1) {
			saved = ENOMEM;
			close(fd);
			continue;
		}
		n->lfd[n->nlisten++] = fd;
	}
	freeaddrinfo(res);
	if (saved != 0 || n->nlisten == 0) {
		snprintf(err, errsize, "%s",
		    strerror(saved != 0 ? saved : EADDRNOTAVAIL));
		while (n->nlisten > 0) {
			n->nlisten--;
			loop_unwatch(n->loop, n->lfd[n->nlisten]);
			close(n->lfd[n->nlisten]);
		}
		return -1;
	}
	return 0;
}

/* Has the peer of c hung up, with nothing left to read? */
static int
hung_up(const struct conn *c)
{
	unsigned char b;
	ssize_t r;

	if (c->fd < 0 || c->state == CONN_CONNECTING)
		return 0;
	r = recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	return r == 0 || (r == -1 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR);
}

int
net_reap_gone(struct net *n)
{
	struct conn *c;
	int count = 0;

	/* Mark first, then report: a report may close other connections. */
	for (c = n->all; c != NULL; c = c->next)
		c->gone = c->in_len == 0 && hung_up(c);
	for (;;) {
		for (c = n->all; c != NULL && !c->gone; c = c->next)
			continue;
		if (c == NULL)
			return count;
		c->gone = 0;
		count++;
		if (c->state == CONN_CLOSING)
			mark_dead(c);
		else
			lost(c, 0);
	}
}
