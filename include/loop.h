/*
 * loop: the event loop, in the manner of redis's ae.c.
 *
 * A struct loop multiplexes file descriptors with one poll() and keeps
 * timers in a binary heap, so the next deadline is found without scanning.
 * Each descriptor has one watch: the events it wants (LOOP_READ,
 * LOOP_WRITE), a callback and a context pointer.  A watch that wants
 * nothing is left out of poll() altogether, so a hang-up it cannot handle
 * yet never makes the loop spin.
 *
 * One turn, loop_turn(), does in this order: run the hooks (writing what
 * the last turn queued, freeing what it closed); poll for at most the time
 * to the next timer; call the callbacks of the descriptors that are ready;
 * run the timers that are due (after the I/O, so that a node that was busy
 * reads what its peers sent before judging them silent).  So whatever a
 * turn queues is written before the loop next sleeps.  Callbacks may add,
 * change and remove watches and timers at any time, their own included.
 *
 * Timers are owned by their users: a struct loop_timer is embedded in the
 * object it serves and armed, re-armed or stopped in O(log n); the heap
 * holds pointers, never copies.
 *
 * Signals arrive through a self-pipe per loop.  loop_signal() installs a
 * handler for one signal (remembering the old one); loop_free() or
 * loop_signals_restore() puts the old ones back.  Only one loop at a time
 * may own signals; a library loop that installs none changes nothing
 * process-wide.
 *
 * Time is CLOCK_MONOTONIC in milliseconds; loop_now() is read once per
 * turn (and by loop_update_now()), so every callback of a turn sees one
 * time.
 */
#ifndef KAIPEER_LOOP_H
#define KAIPEER_LOOP_H

#include <stddef.h>

#define LOOP_READ	1
#define LOOP_WRITE	2
#define LOOP_HUP	4	/* passed to callbacks: hang-up or error */

struct loop;

typedef void (*loop_io_fn)(void *ctx, int fd, int events);
typedef void (*loop_timer_fn)(void *ctx);
typedef void (*loop_hook_fn)(void *ctx);
typedef void (*loop_signal_fn)(void *ctx, int signo);

struct loop_timer {
	long long	 when;		/* ms, on the loop's clock */
	int		 slot;		/* in the heap; -1 when not armed */
	loop_timer_fn	 fn;
	void		*ctx;
};

/* A new loop, or NULL with errno set. */
struct loop *loop_new(void);

/* Free the loop (restoring signal handlers it installed); the
 * descriptors it watched are the callers' to close. */
void	loop_free(struct loop *l);

/* Make fd non-blocking and close-on-exec, as every watched fd is: 0, -1. */
int	loop_nonblock(int fd);

/*
 * Watch fd for events (LOOP_READ | LOOP_WRITE, or 0) with fn(ctx, fd,
 * revents).  A watch on an fd already watched replaces it.  Returns 0, or
 * -1 if no memory.
 */
int	loop_watch(struct loop *l, int fd, int events, loop_io_fn fn,
	    void *ctx);

/* Change what a watched fd waits for. */
void	loop_want(struct loop *l, int fd, int events);

/* What a watched fd waits for (0 if not watched). */
int	loop_wants(const struct loop *l, int fd);

/* Stop watching fd; safe from any callback, for any fd. */
void	loop_unwatch(struct loop *l, int fd);

/* Prepare t to call fn(ctx); it is not armed. */
void	loop_timer_init(struct loop_timer *t, loop_timer_fn fn, void *ctx);

/* Arm t for time when (re-arming it if armed).  Returns 0, or -1 if no
 * memory to grow the heap. */
int	loop_timer_at(struct loop *l, struct loop_timer *t, long long when);

/* Disarm t if armed. */
void	loop_timer_stop(struct loop *l, struct loop_timer *t);

/* Is t armed? */
int	loop_timer_armed(const struct loop_timer *t);

/*
 * Call fn(ctx) before the loop sleeps, once a turn (at most
 * LOOP_MAX_HOOKS), the hooks registered last first: a layer registers its
 * hook after the layers below it, whose hooks then write what it queued.
 * Returns 0, or -1 if the table is full.
 */
#define LOOP_MAX_HOOKS	8
int	loop_hook(struct loop *l, loop_hook_fn fn, void *ctx);

/* Run the hooks now, without a turn. */
void	loop_flush(struct loop *l);

/* Remove the hook fn(ctx). */
void	loop_unhook(struct loop *l, loop_hook_fn fn, void *ctx);

/*
 * Run fn(ctx, signo) from the loop when signo arrives.  The handler only
 * writes the signal number to the loop's self-pipe.  Returns 0, or -1 with
 * errno set.  loop_ignore_signal() sets SIG_IGN, and loop_default_signal()
 * SIG_DFL, remembering the old disposition the same way.
 */
int	loop_signal(struct loop *l, int signo, loop_signal_fn fn, void *ctx);
int	loop_ignore_signal(struct loop *l, int signo);
int	loop_default_signal(struct loop *l, int signo);

/* Put back every disposition loop_signal()/loop_ignore_signal() changed. */
void	loop_signals_restore(struct loop *l);

/* The time of this turn, and a fresh reading of the clock. */
long long loop_now(const struct loop *l);
long long loop_update_now(struct loop *l);

/* Milliseconds of CLOCK_MONOTONIC from an arbitrary fixed point. */
long long loop_clock_ms(void);

/*
 * How long the next turn may sleep: until the next timer, at most max_ms
 * (-1: no limit; any other negative value is a deadline past: 0), 0 if a
 * timer is due.
 */
int	loop_timeout(const struct loop *l, int max_ms);

/*
 * One turn: poll for at most timeout_ms (-1: until a timer is due or an
 * event), dispatch, run due timers and the hooks.  Returns the number of
 * callbacks run, or -1 with errno set when poll() fails (not EINTR).
 */
int	loop_turn(struct loop *l, int timeout_ms);

/* Make the current or next loop_turn() return before it sleeps. */
void	loop_break(struct loop *l);

/*
 * For an embedder with its own poll(): fill fds[0..max) with the
 * descriptors and events this loop waits for; returns how many (more than
 * max if the array was too small: call again with a bigger one).
 * loop_dispatch() then takes the revents of those entries and runs the
 * turn without polling: callbacks, due timers, then the hooks, since the
 * embedder sleeps next.
 */
struct pollfd;
int	loop_pollfds(const struct loop *l, struct pollfd *fds, int max);
int	loop_dispatch(struct loop *l, const struct pollfd *fds, int n);

#endif
