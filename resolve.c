/*
 * resolve: name lookups in a helper process (contract in
 * include/resolve.h).
 *
 * The child closes every descriptor but its end of the pipe, calls
 * getaddrinfo() and writes one fixed-size answer: smaller than PIPE_BUF,
 * so it arrives whole or not at all.  The parent reads it when the pipe
 * turns readable, reaps the child (which exits right after writing) and
 * calls back.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolve.h"

struct answer {
	int		 n;
	struct addr	 addrs[ADDR_MAX];
	char		 err[128];
};

struct resolve {
	struct loop	*loop;
	pid_t		 pid;
	int		 fd;
	resolve_fn	 fn;
	void		*ctx;
	struct answer	 a;
	size_t		 got;
};

/* In the child: look up, answer, exit. */
static void
child(int fd, const char *host, int port)
{
	struct addrinfo hints, *res, *ai;
	struct answer a;
	char serv[16];
	long i, max;
	int rc;

	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (i = 3; i < max; i++)
		if (i != fd)
			(void)close((int)i);
	memset(&a, 0, sizeof(a));
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(serv, sizeof(serv), "%d", port);
	if ((rc = getaddrinfo(host, serv, &hints, &res)) != 0)
		snprintf(a.err, sizeof(a.err), "%s", gai_strerror(rc));
	else {
		for (ai = res; ai != NULL && a.n < ADDR_MAX;
		    ai = ai->ai_next) {
			if (ai->ai_addrlen > sizeof(a.addrs[0].ss))
				continue;
			memcpy(&a.addrs[a.n].ss, ai->ai_addr, ai->ai_addrlen);
			a.addrs[a.n++].len = ai->ai_addrlen;
		}
		freeaddrinfo(res);
		if (a.n == 0)
			snprintf(a.err, sizeof(a.err), "no usable address");
	}
	(void)write(fd, &a, sizeof(a));
	_exit(0);
}

static void
finish(struct resolve *r)
{
	loop_unwatch(r->loop, r->fd);
	close(r->fd);
	while (waitpid(r->pid, NULL, 0) == -1 && errno == EINTR)
		continue;
	free(r);
}

static void
on_answer(void *ctx, int fd, int events)
{
	struct resolve *r = ctx;
	resolve_fn fn = r->fn;
	void *fctx = r->ctx;
	struct answer a;
	ssize_t n;

	(void)events;
	n = read(fd, (char *)&r->a + r->got, sizeof(r->a) - r->got);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		r->got += (size_t)n;
		if (r->got < sizeof(r->a))
			return;
	}
	if (r->got == sizeof(r->a))
		a = r->a;
	else {
		memset(&a, 0, sizeof(a));
		snprintf(a.err, sizeof(a.err), "name lookup failed");
	}
	a.err[sizeof(a.err) - 1] = '\0';
	if (a.n < 0 || a.n > ADDR_MAX)
		a.n = 0;
	finish(r);
	fn(fctx, a.addrs, a.n, a.n > 0 ? NULL : a.err);
}

struct resolve *
resolve_start(struct loop *l, const char *host, int port, resolve_fn fn,
    void *ctx)
{
	struct resolve *r;
	int p[2], err;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if (pipe(p) == -1) {
		err = errno;
		free(r);
		errno = err;
		return NULL;
	}
	if ((r->pid = fork()) == -1) {
		err = errno;
		close(p[0]);
		close(p[1]);
		free(r);
		errno = err;
		return NULL;
	}
	if (r->pid == 0) {
		close(p[0]);
		child(p[1], host, port);
	}
	close(p[1]);
	r->loop = l;
	r->fd = p[0];
	r->fn = fn;
	r->ctx = ctx;
	if (loop_nonblock(r->fd) == -1 ||
	    loop_watch(l, r->fd, LOOP_READ, on_answer, r) == -1) {
		err = errno != 0 ? errno : ENOMEM;
		(void)kill(r->pid, SIGKILL);
		close(r->fd);
		while (waitpid(r->pid, NULL, 0) == -1 && errno == EINTR)
			continue;
		free(r);
		errno = err;
		return NULL;
	}
	return r;
}

void
resolve_cancel(struct resolve *r)
{
	if (r == NULL)
		return;
	(void)kill(r->pid, SIGKILL);
	finish(r);
}
