/*
 * net: the one place that touches file descriptors.
 *
 * Contract (include/net.h): net_poll() is the whole event loop turn.  It
 * builds the pollfd set from state (POLLIN while a buffer has room, POLLOUT
 * while output is pending or a connect is in progress), polls once,
 * dispatches to the node's handlers, writes what the handlers queued (one
 * write per connection per turn), and frees the connections that were
 * closed during the pass.  Fatal errors are never raised here: a failing
 * connection is reported through a handler and closed; the process goes on.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net.h"

#define BUF_START	4096	/* first size of a connection buffer */
#define BUF_KEEP	65536	/* an idle buffer larger than this shrinks */
#define READ_CHUNK	16384	/* read() at most this much per turn */

static int sig_write_fd = -1;	/* the self-pipe, for the signal handler */

static void
on_signal(int signo)
{
	unsigned char b = (unsigned char)signo;
	int saved = errno;

	if (sig_write_fd >= 0)
		(void)write(sig_write_fd, &b, 1);
	errno = saved;
}

static int
set_nonblock(int fd)
{
	int fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static void
tune_socket(int fd)
{
	int one = 1;

	/* Commands are small and latency matters more than packet count. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

void
net_format(char *buf, size_t size, const char *ip, int port)
{
	if (strchr(ip, ':') != NULL)
		snprintf(buf, size, "[%s]:%d", ip, port);
	else
		snprintf(buf, size, "%s:%d", ip, port);
}

/* Numeric ip and port of a socket address. */
static void
sockaddr_ip(const struct sockaddr *sa, socklen_t len, char *ip, size_t iplen,
    int *port)
{
	char serv[16];

	if (getnameinfo(sa, len, ip, (socklen_t)iplen, serv, sizeof(serv),
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(ip, iplen, "?");
		*port = 0;
		return;
	}
	*port = atoi(serv);
}

static int
local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char ip[NET_ADDRLEN];
	int port = 0;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		sockaddr_ip((struct sockaddr *)&ss, len, ip, sizeof(ip), &port);
	return port;
}

long long
net_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
net_random(unsigned char *buf, size_t len)
{
	size_t i, got = 0;
	ssize_t r;
	unsigned long x;
	int fd;

	if ((fd = open("/dev/urandom", O_RDONLY)) >= 0) {
		while (got < len && (r = read(fd, buf + got, len - got)) > 0)
			got += (size_t)r;
		close(fd);
	}
	/* No urandom: mix the clock and pid, enough to tell nodes apart. */
	x = (unsigned long)net_now_ms() ^ ((unsigned long)getpid() << 16) ^
	    (unsigned long)time(NULL);
	for (i = got; i < len; i++) {
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		buf[i] = (unsigned char)(x >> 33);
	}
}

int
net_init(struct net *n, int max_conns, size_t in_max, size_t out_max,
    int use_stdin)
{
	struct sigaction sa;
	int i;

	memset(n, 0, sizeof(*n));
	n->listen_fd[0] = n->listen_fd[1] = -1;
	n->sig_fd[0] = n->sig_fd[1] = -1;
	n->in_fd = use_stdin ? STDIN_FILENO : -1;
	n->max_conns = max_conns;
	n->in_max = in_max;
	n->out_max = out_max;
	n->conns = calloc((size_t)max_conns, sizeof(*n->conns));
	n->pconn = calloc((size_t)max_conns + 4, sizeof(*n->pconn));
	n->pfd = calloc((size_t)max_conns + 4, sizeof(*n->pfd));
	n->line = malloc(NET_LINE_MAX);
	if (n->conns == NULL || n->pconn == NULL || n->pfd == NULL ||
	    n->line == NULL || pipe(n->sig_fd) == -1)
		goto fail;
	for (i = 0; i < 2; i++)
		if (set_nonblock(n->sig_fd[i]) == -1)
			goto fail;
	sig_write_fd = n->sig_fd[1];

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	return 0;
fail:
	net_free(n);
	errno = ENOMEM;
	return -1;
}

static void
free_conn(struct net_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	if (c->ai_list != NULL)
		freeaddrinfo(c->ai_list);
	free(c->in);
	free(c->out);
	free(c);
}

void
net_free(struct net *n)
{
	int i;

	for (i = 0; i < n->nconns; i++)
		free_conn(n->conns[i]);
	for (i = 0; i < n->nlisten; i++)
		close(n->listen_fd[i]);
	for (i = 0; i < 2; i++)
		if (n->sig_fd[i] >= 0)
			close(n->sig_fd[i]);
	if (sig_write_fd == n->sig_fd[1])
		sig_write_fd = -1;
	free(n->conns);
	free(n->pconn);
	free(n->pfd);
	free(n->line);
	memset(n, 0, sizeof(*n));
	n->in_fd = -1;
}

int
net_listen(struct net *n, int port, char *err, size_t errsize)
{
	struct addrinfo hints, *res, *ai;
	char serv[16];
	int fd, one = 1, rc, saved = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	snprintf(serv, sizeof(serv), "%d", port);
	if ((rc = getaddrinfo(NULL, serv, &hints, &res)) != 0) {
		snprintf(err, errsize, "%s", gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL && n->nlisten < 2; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype, 0)) == -1) {
			continue;	/* e.g. no IPv6 on this host */
		}
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
		if (ai->ai_family == AF_INET6)
			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			    sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
		    listen(fd, 128) == -1 || set_nonblock(fd) == -1) {
			/* A family the host lacks is skipped; a port that is
			 * taken is an error whichever family saw it. */
			if (errno != EADDRNOTAVAIL && errno != EAFNOSUPPORT)
				saved = errno;
			close(fd);
			continue;
		}
		n->listen_fd[n->nlisten++] = fd;
	}
	freeaddrinfo(res);
	if (saved != 0 || n->nlisten == 0) {
		snprintf(err, errsize, "%s",
		    strerror(saved != 0 ? saved : EADDRNOTAVAIL));
		while (n->nlisten > 0)
			close(n->listen_fd[--n->nlisten]);
		return -1;
	}
	return 0;
}

static struct net_conn *
new_conn(struct net *n, int fd)
{
	struct net_conn *c;

	if (n->nconns == n->max_conns || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->fd = fd;
	c->in_max = n->in_max;
	c->out_max = n->out_max;
	n->conns[n->nconns++] = c;
	return c;
}

/* Start a non-blocking connect to the next address; -1 when none is left. */
static int
try_next_address(struct net_conn *c)
{
	struct addrinfo *ai;
	int fd;

	while ((ai = c->ai_next) != NULL) {
		c->ai_next = ai->ai_next;
		if ((fd = socket(ai->ai_family, ai->ai_socktype, 0)) == -1)
			continue;
		if (set_nonblock(fd) == -1 ||
		    (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1 &&
		    errno != EINPROGRESS)) {
			close(fd);
			continue;
		}
		tune_socket(fd);
		c->fd = fd;
		sockaddr_ip(ai->ai_addr, ai->ai_addrlen, c->ip, sizeof(c->ip),
		    &c->port);
		return 0;
	}
	return -1;
}

struct net_conn *
net_connect(struct net *n, const char *host, int port, char *err,
    size_t errsize)
{
	struct addrinfo hints, *res;
	struct net_conn *c;
	char serv[16];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(serv, sizeof(serv), "%d", port);
	if ((rc = getaddrinfo(host, serv, &hints, &res)) != 0) {
		snprintf(err, errsize, "%s", gai_strerror(rc));
		return NULL;
	}
	if ((c = new_conn(n, -1)) == NULL) {
		freeaddrinfo(res);
		snprintf(err, errsize, "too many connections");
		return NULL;
	}
	c->outbound = 1;
	c->state = NET_CONNECTING;
	c->ai_list = c->ai_next = res;
	if (try_next_address(c) == -1) {
		snprintf(err, errsize, "%s", strerror(errno));
		c->state = NET_DEAD;
		return NULL;
	}
	return c;
}

/* Grow *buf to hold need bytes, doubling, never past max. */
static int
grow(unsigned char **buf, size_t *cap, size_t need, size_t max)
{
	unsigned char *p;
	size_t ncap = *cap > 0 ? *cap : BUF_START;

	if (need > max)
		return -1;
	while (ncap < need)
		ncap = ncap > max / 2 ? max : ncap * 2;
	if (ncap == *cap)
		return 0;
	if ((p = realloc(*buf, ncap)) == NULL)
		return -1;
	*buf = p;
	*cap = ncap;
	return 0;
}

unsigned char *
net_space(struct net_conn *c, size_t need)
{
	size_t pending = c->out_len - c->out_off;

	if (c->state >= NET_CLOSING || need > c->out_max - pending)
		return NULL;
	if (c->out_off > 0 && c->out_len + need > c->out_cap) {
		memmove(c->out, c->out + c->out_off, pending);
		c->out_off = 0;
		c->out_len = pending;
	}
	if (grow(&c->out, &c->out_cap, c->out_len + need, c->out_max) == -1)
		return NULL;
	return c->out + c->out_len;
}

void
net_commit(struct net_conn *c, size_t len)
{
	c->out_len += len;
}

void
net_consume(struct net_conn *c, size_t len)
{
	if (len >= c->in_len) {
		c->in_len = 0;
		if (c->in_cap > BUF_KEEP) {
			free(c->in);
			c->in = NULL;
			c->in_cap = 0;
		}
		return;
	}
	memmove(c->in, c->in + len, c->in_len - len);
	c->in_len -= len;
}

void
net_close(struct net *n, struct net_conn *c, int flush)
{
	(void)n;
	if (c->state == NET_DEAD)
		return;
	c->user = NULL;
	c->state = flush && c->state == NET_OPEN &&
	    c->out_len > c->out_off ? NET_CLOSING : NET_DEAD;
}

void
net_stop_input(struct net *n)
{
	n->in_fd = -1;
}

/* Accept until EAGAIN.  Out of descriptors: pause accepting for a turn. */
static int
accept_all(struct net *n, int lfd, const struct net_handlers *h, void *ctx)
{
	struct sockaddr_storage ss;
	struct net_conn *c;
	socklen_t len;
	int fd, count = 0;

	for (;;) {
		len = sizeof(ss);
		if ((fd = accept(lfd, (struct sockaddr *)&ss, &len)) == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				n->accept_paused = 1;
			return count;
		}
		if (set_nonblock(fd) == -1 || (c = new_conn(n, fd)) == NULL) {
			/* No slot: the listen backlog keeps the rest. */
			close(fd);
			n->accept_paused = 1;
			return count;
		}
		tune_socket(fd);
		c->state = NET_OPEN;
		sockaddr_ip((struct sockaddr *)&ss, len, c->ip, sizeof(c->ip),
		    &c->port);
		c->local_port = local_port(fd);
		h->accepted(ctx, c);
		count++;
	}
}

/* An outbound connect finished (the socket turned writable). */
static void
finish_connect(struct net_conn *c, const struct net_handlers *h, void *ctx)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0) {
		close(c->fd);
		c->fd = -1;
		if (try_next_address(c) == 0)
			return;
		c->state = NET_DEAD;
		h->connected(ctx, c, err);
		return;
	}
	c->state = NET_OPEN;
	c->local_port = local_port(c->fd);
	freeaddrinfo(c->ai_list);
	c->ai_list = c->ai_next = NULL;
	h->connected(ctx, c, 0);
}

/* The other end is gone: report it once and mark c for freeing. */
static void
lost(struct net_conn *c, int err, const struct net_handlers *h, void *ctx)
{
	c->state = NET_DEAD;
	if (h != NULL && c->user != NULL)
		h->closed(ctx, c, err);
}

static void
read_conn(struct net_conn *c, const struct net_handlers *h, void *ctx)
{
	size_t room;
	ssize_t r;

	if (c->in_len == c->in_cap &&
	    grow(&c->in, &c->in_cap, c->in_len + 1, c->in_max) == -1)
		return;
	room = c->in_cap - c->in_len;
	if (room > READ_CHUNK && c->in_cap <= BUF_KEEP)
		room = READ_CHUNK;
	r = read(c->fd, c->in + c->in_len, room);
	if (r > 0) {
		c->in_len += (size_t)r;
		h->readable(ctx, c);
	} else if (r == 0)
		lost(c, 0, h, ctx);
	else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		lost(c, errno, h, ctx);
}

/*
 * One write of pending output; shrink the buffer once it is empty.  h is
 * NULL while draining at exit, when nobody is told of a failure.
 */
static void
write_conn(struct net_conn *c, const struct net_handlers *h, void *ctx)
{
	ssize_t w;

	w = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
	if (w == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		if (c->state == NET_CLOSING)
			c->state = NET_DEAD;
		else
			lost(c, errno, h, ctx);
		return;
	}
	c->out_off += (size_t)w;
	if (c->out_off < c->out_len)
		return;
	c->out_off = c->out_len = 0;
	if (c->out_cap > BUF_KEEP) {
		free(c->out);
		c->out = NULL;
		c->out_cap = 0;
	}
	if (c->state == NET_CLOSING)
		c->state = NET_DEAD;
}

/* Split what standard input brought into lines. */
static void
read_input(struct net *n, const struct net_handlers *h, void *ctx)
{
	char buf[4096];
	ssize_t r;
	size_t i, len;

	r = read(n->in_fd, buf, sizeof(buf));
	if (r == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		if (n->line_len > 0 && !n->line_skip)
			h->line(ctx, n->line, n->line_len);
		n->line_len = 0;
		n->in_fd = -1;
		h->eof(ctx);
		return;
	}
	for (i = 0; i < (size_t)r && n->in_fd >= 0; i++) {
		if (buf[i] != '\n') {
			if (n->line_len == NET_LINE_MAX) {
				if (!n->line_skip)
					h->long_line(ctx);
				n->line_skip = 1;
				n->line_len = 0;
			}
			if (!n->line_skip)
				n->line[n->line_len++] = buf[i];
			continue;
		}
		len = n->line_len;
		if (len > 0 && n->line[len - 1] == '\r')
			len--;
		if (!n->line_skip)
			h->line(ctx, n->line, len);
		n->line_len = 0;
		n->line_skip = 0;
	}
}

static void
read_signals(struct net *n, const struct net_handlers *h, void *ctx)
{
	unsigned char b[16];
	ssize_t r, i;

	while ((r = read(n->sig_fd[0], b, sizeof(b))) > 0)
		for (i = 0; i < r; i++)
			h->signal(ctx, b[i]);
}

/* Free the connections closed during the pass; keep the order. */
static void
reap(struct net *n)
{
	int i, j = 0;

	for (i = 0; i < n->nconns; i++) {
		if (n->conns[i]->state == NET_DEAD)
			free_conn(n->conns[i]);
		else
			n->conns[j++] = n->conns[i];
	}
	n->nconns = j;
}

static short
conn_events(const struct net_conn *c)
{
	short ev = 0;

	if (c->state == NET_CONNECTING)
		return POLLOUT;
	if (c->state == NET_OPEN && c->in_len < c->in_max)
		ev |= POLLIN;
	if (c->out_len > c->out_off)
		ev |= POLLOUT;
	return ev;
}

int
net_poll(struct net *n, int timeout_ms, const struct net_handlers *h,
    void *ctx)
{
	struct net_conn *c;
	int i, nfd = 0, nconn, rc, events = 0;
	short re;

	reap(n);	/* closed between turns, by timers */
	n->pfd[nfd].fd = n->sig_fd[0];
	n->pfd[nfd++].events = POLLIN;
	n->pfd[nfd].fd = n->in_fd;
	n->pfd[nfd++].events = n->in_fd >= 0 ? POLLIN : 0;
	for (i = 0; i < n->nlisten; i++) {
		n->pfd[nfd].fd = n->accept_paused ? -1 : n->listen_fd[i];
		n->pfd[nfd++].events = POLLIN;
	}
	if (n->accept_paused && (timeout_ms < 0 || timeout_ms > 100))
		timeout_ms = 100;
	n->accept_paused = 0;
	nconn = 0;
	for (i = 0; i < n->nconns; i++) {
		c = n->conns[i];
		if (c->fd < 0 || c->state == NET_DEAD)
			continue;
		n->pconn[nconn++] = c;
		n->pfd[nfd].fd = c->fd;
		n->pfd[nfd++].events = conn_events(c);
	}

	if ((rc = poll(n->pfd, (nfds_t)nfd, timeout_ms)) == -1)
		return errno == EINTR ? 0 : -1;

	if (n->pfd[0].revents & POLLIN)
		read_signals(n, h, ctx);
	if (n->in_fd >= 0 && n->pfd[1].revents & (POLLIN | POLLHUP | POLLERR))
		read_input(n, h, ctx);
	for (i = 0; i < n->nlisten; i++)
		if (n->pfd[2 + i].revents & POLLIN)
			events += accept_all(n, n->listen_fd[i], h, ctx);
	for (i = 0; i < nconn; i++) {
		c = n->pconn[i];
		re = n->pfd[2 + n->nlisten + i].revents;
		if (re == 0 || c->state == NET_DEAD)
			continue;
		events++;
		if (c->state == NET_CONNECTING)
			finish_connect(c, h, ctx);
		else if (re & (POLLIN | POLLHUP | POLLERR))
			read_conn(c, h, ctx);
		else if (c->state == NET_CLOSING && re & POLLOUT)
			write_conn(c, h, ctx);
	}
	/* Answer with one write per connection per turn. */
	for (i = 0; i < n->nconns; i++) {
		c = n->conns[i];
		if (c->state >= NET_OPEN && c->state != NET_DEAD &&
		    c->out_len > c->out_off)
			write_conn(c, h, ctx);
	}
	reap(n);
	return events + (rc > 0);
}

void
net_drain(struct net *n, int timeout_ms)
{
	long long end = net_now_ms() + timeout_ms;
	int i, pending;

	for (;;) {
		pending = 0;
		for (i = 0; i < n->nconns; i++) {
			n->pfd[i].fd = n->conns[i]->fd;
			n->pfd[i].events = 0;
			if (n->conns[i]->state != NET_DEAD &&
			    n->conns[i]->state != NET_CONNECTING &&
			    n->conns[i]->out_len > n->conns[i]->out_off) {
				n->pfd[i].events = POLLOUT;
				pending++;
			}
		}
		if (pending == 0 || net_now_ms() >= end)
			break;
		if (poll(n->pfd, (nfds_t)n->nconns,
		    (int)(end - net_now_ms())) <= 0)
			continue;
		for (i = 0; i < n->nconns; i++)
			if (n->pfd[i].revents & (POLLOUT | POLLERR | POLLHUP))
				write_conn(n->conns[i], NULL, NULL);
	}
	for (i = 0; i < n->nconns; i++)
		free_conn(n->conns[i]);
	n->nconns = 0;
}
