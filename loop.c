/*
 * loop: the event loop (include/loop.h has the contract).
 *
 * Watches live in an array indexed by descriptor; the ones that want
 * something also have a slot in a dense pollfd array, kept up to date as
 * interests change, so a turn polls without rebuilding anything.  Ready
 * descriptors are first copied out with the watch's generation, then
 * dispatched: a callback that closes a descriptor, or closes one and
 * opens another under the same number, never gets a stale event.
 *
 * Timers are a binary min-heap of pointers; each timer knows its slot.
 * The due ones are moved to a scratch list before any is called, and a
 * timer stopped or re-armed meanwhile is struck off that list, so a
 * callback may free the owner of any other timer.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

#define MAX_SIGNAL	65

struct watch {
	int		 events;	/* LOOP_READ | LOOP_WRITE */
	int		 pidx;		/* slot in pfd, -1 if none */
	unsigned	 gen;		/* bumped on every watch/unwatch */
	int		 on;		/* watched */
	loop_io_fn	 fn;
	void		*ctx;
};

struct ready {
	int		 fd;
	int		 events;
	unsigned	 gen;
};

struct hook {
	loop_hook_fn	 fn;
	void		*ctx;
};

struct sigent {
	loop_signal_fn	 fn;
	void		*ctx;
	int		 set;		/* old disposition saved in old */
	struct sigaction old;
};

struct loop {
	long long	 now;
	struct watch	*w;		/* indexed by fd */
	int		 nw;
	struct pollfd	*pfd;		/* the descriptors that want events */
	int		 npfd;
	int		 pcap;		/* at least one per watch */
	int		 nwatched;
	struct ready	*ready;
	int		 rcap;
	struct loop_timer **heap;
	int		 nheap;
	int		 hcap;
	struct loop_timer **due;	/* scratch: timers being run */
	int		 ndue;
	int		 dcap;
	struct hook	 hooks[LOOP_MAX_HOOKS];
	int		 nhooks;
	int		 broken;	/* loop_break(): do not sleep */
	int		 sig[2];	/* self-pipe */
	struct sigent	 sigs[MAX_SIGNAL];
};

/* The write end of the self-pipe of the loop that owns signals. */
static int sig_write_fd = -1;

static void
on_signal(int signo)
{
	unsigned char b = (unsigned char)signo;
	int saved = errno;

	if (sig_write_fd >= 0)
		(void)write(sig_write_fd, &b, 1);
	errno = saved;
}

long long
loop_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long
loop_now(const struct loop *l)
{
	return l->now;
}

long long
loop_update_now(struct loop *l)
{
	return l->now = loop_clock_ms();
}

/*
 * The array p (of *cap elements of size), grown to hold need: the new
 * array, with *cap updated, or NULL (p untouched) if no memory.
 */
static void *
grow(void *p, int *cap, int need, size_t size)
{
	void *q;
	int ncap = *cap > 0 ? *cap : 16;

	if (need <= *cap)
		return p;
	while (ncap < need)
		ncap *= 2;
	if ((q = realloc(p, (size_t)ncap * size)) == NULL)
		return NULL;
	*cap = ncap;
	return q;
}

static void
read_signals(void *ctx, int fd, int events)
{
	struct loop *l = ctx;
	unsigned char b[32];
	ssize_t r, i;

	(void)events;
	while ((r = read(fd, b, sizeof(b))) > 0)
		for (i = 0; i < r; i++)
			if (b[i] < MAX_SIGNAL && l->sigs[b[i]].fn != NULL)
				l->sigs[b[i]].fn(l->sigs[b[i]].ctx, b[i]);
}

struct loop *
loop_new(void)
{
	struct loop *l;
	int i, fl;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->sig[0] = l->sig[1] = -1;
	if (pipe(l->sig) == -1)
		goto fail;
	for (i = 0; i < 2; i++) {
		/* Never on 0, 1 or 2, should the process have closed them:
		 * what is written there would be read back as signals. */
		if (l->sig[i] <= 2) {
			if ((fl = fcntl(l->sig[i], F_DUPFD, 3)) == -1)
				goto fail;
			close(l->sig[i]);
			l->sig[i] = fl;
		}
		if (loop_nonblock(l->sig[i]) == -1)
			goto fail;
	}
	loop_update_now(l);
	return l;
fail:
	loop_free(l);
	return NULL;
}

void
loop_free(struct loop *l)
{
	int i;

	if (l == NULL)
		return;
	loop_signals_restore(l);
	for (i = 0; i < 2; i++)
		if (l->sig[i] >= 0)
			close(l->sig[i]);
	for (i = 0; i < l->nheap; i++)
		l->heap[i]->slot = -1;
	for (i = 0; i < l->ndue; i++)
		if (l->due[i] != NULL)
			l->due[i]->slot = -1;
	free(l->w);
	free(l->pfd);
	free(l->ready);
	free(l->heap);
	free(l->due);
	free(l);
}

/* --- watches ------------------------------------------------------------ */

static short
poll_events(int events)
{
	return (short)((events & LOOP_READ ? POLLIN : 0) |
	    (events & LOOP_WRITE ? POLLOUT : 0));
}

/* Put w (for fd) in the poll set, or take it out, as its events say. */
static void
place(struct loop *l, int fd, struct watch *w)
{
	int last;

	if (w->events != 0 && w->pidx < 0) {
		/* The array was reserved by loop_watch(). */
		w->pidx = l->npfd++;
		l->pfd[w->pidx].fd = fd;
		l->pfd[w->pidx].revents = 0;
	}
	if (w->events != 0) {
		l->pfd[w->pidx].events = poll_events(w->events);
		return;
	}
	if (w->pidx < 0)
		return;
	last = --l->npfd;
	if (w->pidx != last) {
		l->pfd[w->pidx] = l->pfd[last];
		l->w[l->pfd[w->pidx].fd].pidx = w->pidx;
	}
	w->pidx = -1;
}

int
loop_nonblock(int fd)
{
	int fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int
loop_watch(struct loop *l, int fd, int events, loop_io_fn fn, void *ctx)
{
	struct watch *w;
	void *p;
	int i, old = l->nw;

	if (fd < 0)
		return -1;
	if (fd >= l->nw) {
		if ((p = grow(l->w, &l->nw, fd + 1, sizeof(*l->w))) == NULL)
			return -1;
		l->w = p;
		for (i = old; i < l->nw; i++) {
			memset(&l->w[i], 0, sizeof(l->w[i]));
			l->w[i].pidx = -1;
		}
	}
	/* Room for every watch in the poll set, so place() cannot fail. */
	if ((p = grow(l->pfd, &l->pcap, l->nwatched + 1,
	    sizeof(*l->pfd))) == NULL)
		return -1;
	l->pfd = p;
	w = &l->w[fd];
	if (!w->on)
		l->nwatched++;
	w->on = 1;
	w->gen++;
	w->fn = fn;
	w->ctx = ctx;
	w->events = events & (LOOP_READ | LOOP_WRITE);
	place(l, fd, w);
	return 0;
}

void
loop_want(struct loop *l, int fd, int events)
{
	struct watch *w;

	if (fd < 0 || fd >= l->nw || !l->w[fd].on)
		return;
	w = &l->w[fd];
	events &= LOOP_READ | LOOP_WRITE;
	if (w->events == events)
		return;
	w->events = events;
	place(l, fd, w);
}

int
loop_wants(const struct loop *l, int fd)
{
	return fd >= 0 && fd < l->nw && l->w[fd].on ? l->w[fd].events : 0;
}

void
loop_unwatch(struct loop *l, int fd)
{
	struct watch *w;

	if (fd < 0 || fd >= l->nw || !l->w[fd].on)
		return;
	w = &l->w[fd];
	w->events = 0;
	place(l, fd, w);
	w->on = 0;
	l->nwatched--;
	w->gen++;
	w->fn = NULL;
	w->ctx = NULL;
}

/* --- timers ------------------------------------------------------------- */

static void
heap_set(struct loop *l, int i, struct loop_timer *t)
{
	l->heap[i] = t;
	t->slot = i;
}

static void
sift_up(struct loop *l, int i)
{
	struct loop_timer *t = l->heap[i];
	int parent;

	while (i > 0) {
		parent = (i - 1) / 2;
		if (l->heap[parent]->when <= t->when)
			break;
		heap_set(l, i, l->heap[parent]);
		i = parent;
	}
	heap_set(l, i, t);
}

static void
sift_down(struct loop *l, int i)
{
	struct loop_timer *t = l->heap[i];
	int c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && l->heap[c + 1]->when < l->heap[c]->when)
			c++;
		if (t->when <= l->heap[c]->when)
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

static void
heap_remove(struct loop *l, int i)
{
	struct loop_timer *last = l->heap[--l->nheap];

	l->heap[i]->slot = -1;
	if (i == l->nheap)
		return;
	heap_set(l, i, last);
	sift_down(l, i);
	sift_up(l, last->slot);
}

void
loop_timer_init(struct loop_timer *t, loop_timer_fn fn, void *ctx)
{
	t->when = 0;
	t->slot = -1;
	t->fn = fn;
	t->ctx = ctx;
}

int
loop_timer_armed(const struct loop_timer *t)
{
	return t->slot >= 0;
}

/* A timer on the scratch list of due timers has slot -2 - its index. */
static void
strike_due(struct loop *l, struct loop_timer *t)
{
	if (t->slot <= -2) {
		l->due[-2 - t->slot] = NULL;
		t->slot = -1;
	}
}

void
loop_timer_stop(struct loop *l, struct loop_timer *t)
{
	strike_due(l, t);
	if (t->slot >= 0)
		heap_remove(l, t->slot);
}

int
loop_timer_at(struct loop *l, struct loop_timer *t, long long when)
{
	long long old = t->when;
	void *p;

	strike_due(l, t);
	t->when = when;
	if (t->slot >= 0) {
		if (when < old)
			sift_up(l, t->slot);
		else
			sift_down(l, t->slot);
		return 0;
	}
	if ((p = grow(l->heap, &l->hcap, l->nheap + 1,
	    sizeof(*l->heap))) == NULL)
		return -1;
	l->heap = p;
	heap_set(l, l->nheap++, t);
	sift_up(l, t->slot);
	return 0;
}

/* Run every timer due at the turn's time.  Returns how many ran. */
static int
run_timers(struct loop *l)
{
	struct loop_timer *t;
	void *p;
	int i, n = 0;

	l->ndue = 0;
	while (l->nheap > 0 && l->heap[0]->when <= l->now) {
		t = l->heap[0];
		if ((p = grow(l->due, &l->dcap, l->ndue + 1,
		    sizeof(*l->due))) == NULL)
			break;		/* the rest run next turn */
		l->due = p;
		heap_remove(l, 0);
		l->due[l->ndue] = t;
		t->slot = -2 - l->ndue++;
	}
	for (i = 0; i < l->ndue; i++) {
		if ((t = l->due[i]) == NULL)
			continue;
		l->due[i] = NULL;
		t->slot = -1;
		t->fn(t->ctx);
		n++;
	}
	l->ndue = 0;
	return n;
}

int
loop_timeout(const struct loop *l, int max_ms)
{
	long long d;

	if (max_ms < -1)
		max_ms = 0;		/* a deadline already past: no wait */
	if (l->nheap == 0)
		return max_ms;
	d = l->heap[0]->when - loop_clock_ms();
	if (d <= 0)
		return 0;
	if (max_ms >= 0 && d > max_ms)
		return max_ms;
	return d > 86400000 ? 86400000 : (int)d;
}

/* --- hooks and signals ---------------------------------------------------- */

int
loop_hook(struct loop *l, loop_hook_fn fn, void *ctx)
{
	if (l->nhooks == LOOP_MAX_HOOKS)
		return -1;
	l->hooks[l->nhooks].fn = fn;
	l->hooks[l->nhooks++].ctx = ctx;
	return 0;
}

/* Take fn(ctx) out of the table h of *n hooks. */
static void
unhook(struct hook *h, int *n, loop_hook_fn fn, void *ctx)
{
	int i;

	for (i = 0; i < *n; i++)
		if (h[i].fn == fn && h[i].ctx == ctx) {
			memmove(&h[i], &h[i + 1], (size_t)(*n - i - 1) *
			    sizeof(h[0]));
			(*n)--;
			return;
		}
}

void
loop_unhook(struct loop *l, loop_hook_fn fn, void *ctx)
{
	unhook(l->hooks, &l->nhooks, fn, ctx);
}

static int
set_disposition(struct loop *l, int signo, void (*handler)(int))
{
	struct sigaction sa;
	struct sigent *s;

	if (signo <= 0 || signo >= MAX_SIGNAL) {
		errno = EINVAL;
		return -1;
	}
	if (sig_write_fd >= 0 && sig_write_fd != l->sig[1]) {
		errno = EBUSY;		/* another loop owns signals */
		return -1;
	}
	sig_write_fd = l->sig[1];
	s = &l->sigs[signo];
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = handler;
	if (sigaction(signo, &sa, s->set ? NULL : &s->old) == -1)
		return -1;
	s->set = 1;
	return 0;
}

int
loop_signal(struct loop *l, int signo, loop_signal_fn fn, void *ctx)
{
	/* The self-pipe is polled only once a signal may come through it. */
	if (loop_wants(l, l->sig[0]) == 0 &&
	    loop_watch(l, l->sig[0], LOOP_READ, read_signals, l) == -1)
		return -1;
	if (set_disposition(l, signo, on_signal) == -1)
		return -1;
	l->sigs[signo].fn = fn;
	l->sigs[signo].ctx = ctx;
	return 0;
}

int
loop_ignore_signal(struct loop *l, int signo)
{
	if (set_disposition(l, signo, SIG_IGN) == -1)
		return -1;
	l->sigs[signo].fn = NULL;
	return 0;
}

int
loop_default_signal(struct loop *l, int signo)
{
	if (set_disposition(l, signo, SIG_DFL) == -1)
		return -1;
	l->sigs[signo].fn = NULL;
	return 0;
}

void
loop_signals_restore(struct loop *l)
{
	int i;

	for (i = 1; i < MAX_SIGNAL; i++) {
		if (!l->sigs[i].set)
			continue;
		(void)sigaction(i, &l->sigs[i].old, NULL);
		l->sigs[i].set = 0;
		l->sigs[i].fn = NULL;
	}
	if (sig_write_fd == l->sig[1])
		sig_write_fd = -1;
}

/* --- turns -------------------------------------------------------------- */

static int
loop_events(short re)
{
	return (re & POLLIN ? LOOP_READ : 0) | (re & POLLOUT ? LOOP_WRITE : 0) |
	    (re & (POLLHUP | POLLERR | POLLNVAL) ? LOOP_HUP : 0);
}

/* Note that fd is ready with poll's re; -1 if no memory. */
static int
add_ready(struct loop *l, int *n, int fd, short re)
{
	void *p;

	if (re == 0 || fd < 0 || fd >= l->nw || !l->w[fd].on)
		return 0;
	if ((p = grow(l->ready, &l->rcap, *n + 1, sizeof(*l->ready))) == NULL)
		return -1;
	l->ready = p;
	l->ready[*n].fd = fd;
	l->ready[*n].events = loop_events(re);
	l->ready[*n].gen = l->w[fd].gen;
	(*n)++;
	return 0;
}

/*
 * Last registered first: a layer registers after the layers it uses, so
 * what an upper layer's hook queues is flushed by the lower ones' hooks in
 * the same pass.
 */
static void
run_hooks(struct loop *l)
{
	int i;

	for (i = l->nhooks - 1; i >= 0; i--)
		l->hooks[i].fn(l->hooks[i].ctx);
}

void
loop_flush(struct loop *l)
{
	run_hooks(l);
}

/* Call back every ready descriptor, then the timers. */
static int
finish_turn(struct loop *l, int nready)
{
	struct watch *w;
	int i, fd, ran = 0;

	for (i = 0; i < nready; i++) {
		fd = l->ready[i].fd;
		w = &l->w[fd];
		if (!w->on || w->gen != l->ready[i].gen)
			continue;	/* unwatched or replaced meanwhile */
		w->fn(w->ctx, fd, l->ready[i].events);
		ran++;
		/* A descriptor closed behind our back: never poll it again. */
		if (l->ready[i].events & LOOP_HUP && w->on &&
		    w->gen == l->ready[i].gen && fcntl(fd, F_GETFD) == -1)
			loop_unwatch(l, fd);
	}
	loop_update_now(l);
	ran += run_timers(l);
	return ran;
}

int
loop_turn(struct loop *l, int timeout_ms)
{
	int i, n, nready = 0;

	/* What the last turn left to write goes out before we sleep. */
	run_hooks(l);
	if (l->broken) {
		l->broken = 0;
		return 0;
	}
	n = poll(l->pfd, (nfds_t)l->npfd, loop_timeout(l, timeout_ms));
	if (n == -1 && errno != EINTR)
		return -1;
	loop_update_now(l);
	for (i = 0; i < l->npfd && n > 0; i++) {
		if (l->pfd[i].revents == 0)
			continue;
		n--;
		if (add_ready(l, &nready, l->pfd[i].fd, l->pfd[i].revents) == -1)
			break;
	}
	return finish_turn(l, nready);
}

void
loop_break(struct loop *l)
{
	l->broken = 1;
}

int
loop_pollfds(const struct loop *l, struct pollfd *fds, int max)
{
	int i;

	for (i = 0; i < l->npfd && i < max; i++) {
		fds[i].fd = l->pfd[i].fd;
		fds[i].events = l->pfd[i].events;
		fds[i].revents = 0;
	}
	return l->npfd;
}

int
loop_dispatch(struct loop *l, const struct pollfd *fds, int n)
{
	int i, nready = 0;

	loop_update_now(l);
	for (i = 0; i < n; i++)
		if (add_ready(l, &nready, fds[i].fd, fds[i].revents) == -1)
			break;
	n = finish_turn(l, nready);
	loop_flush(l);		/* the embedder may sleep next */
	return n;
}
