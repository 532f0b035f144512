/*
 * output: the only writer of standard output and standard error.
 *
 * Lines are queued in a bounded buffer per stream and written through the
 * loop: before it polls, once 16 KiB are waiting or the oldest line is a
 * millisecond old (a timer wakes the loop for it), so a script sees each
 * line at once and a busy node writes many lines with one system call;
 * and whenever the descriptor turns writable again.  Writing never blocks: a terminal is
 * reopened on a private file description in non-blocking mode, a pipe or
 * file is made non-blocking and given back its flags at the end.  When
 * nobody reads, the node keeps serving: a line that does not fit under
 * the bound is dropped and counted, and once the queue has drained the
 * count is reported on the same stream.  When standard output and
 * standard error are one file (a terminal, "2>&1"), one queue keeps their
 * lines in order.
 *
 * Instead of descriptors an embedder may take the lines through a log
 * callback: no descriptor is touched then.
 *
 * A line is built in place: out_begin(), then out_str() / out_bytes() /
 * out_safe() / out_printf() pieces, then out_end(), which adds the
 * newline.  out_safe() escapes every byte a peer could use to drive a
 * terminal or forge a line: C0 controls but tab, DEL, C1 controls (U+0080
 * to U+009F) and bytes that are not UTF-8, as \xNN.
 */
#ifndef KAIPEER_OUTPUT_H
#define KAIPEER_OUTPUT_H

#include <stdarg.h>
#include <stddef.h>

struct loop;
struct output;

enum out_stream {
	OUT_STDOUT = 1,
	OUT_STDERR = 2
};

/* The log callback: one whole line without its newline. */
typedef void (*out_log_fn)(void *ctx, int stream, const char *line,
    size_t len);

#define OUT_DEFAULT_BOUND	(1024 * 1024)	/* bytes queued per stream */

/*
 * Output on descriptors out_fd and err_fd (1 and 2) through loop l, at
 * most bound bytes queued per stream (a longer line is still taken when
 * its queue is empty).  NULL if no memory.
 */
struct output *output_new(struct loop *l, int out_fd, int err_fd,
	    size_t bound);

/* Output through fn instead; no descriptor is used. */
struct output *output_new_log(out_log_fn fn, void *ctx);

/*
 * Write what is queued for up to timeout_ms, then release everything and
 * give the descriptors back their flags.
 */
void	output_free(struct output *o, int timeout_ms);

/* Write what is queued, without blocking (the loop calls it each turn). */
void	output_flush(struct output *o);

/* Bytes queued on stream s, and lines dropped so far (not yet reported). */
size_t	output_pending(const struct output *o, int s);
unsigned long output_dropped(const struct output *o, int s);

/*
 * Prefixes for every line of stream s (descriptors only, not the log
 * callback): OUT_PREFIX_NAME, "kaipeer: " unless the line starts with it;
 * OUT_PREFIX_TIME, the UTC time to the millisecond
 * ("2026-12-02T04:20:00.123Z "), after the name.
 */
#define OUT_PREFIX_NAME	0x1
#define OUT_PREFIX_TIME	0x2
void	output_prefix(struct output *o, int s, int flags);

/*
 * A line editor on the terminal of standard output (term.c): before the
 * first line printed to standard output (or standard error, when they are
 * one file) hide() is called, which takes the prompt and the partial line
 * off the screen with out_raw(); before those lines are written show() is
 * called, which draws them again below.  NULL hooks: none.  out_raw()
 * queues bytes for standard output as they are, outside any line.
 */
void	output_editor(struct output *o, void (*hide)(void *),
	    void (*show)(void *), void *ctx);
void	out_raw(struct output *o, const char *b, size_t len);
/* Lines are queued over the editor: show() comes with them. */
int	output_editor_hidden(const struct output *o);

/* Building a line. */
void	out_begin(struct output *o, int s);
void	out_str(struct output *o, const char *str);
void	out_bytes(struct output *o, const char *b, size_t len);
void	out_safe(struct output *o, const char *b, size_t len);
void	out_printf(struct output *o, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
void	out_end(struct output *o);

/*
 * The lines built between these two are one item, such as a result of
 * many lines: queued whole even past the bound, or, when the queue is
 * already past it at the start, dropped whole (and counted line by
 * line).  So the bound is exceeded by at most one item.
 */
void	out_group_begin(struct output *o, int s);
void	out_group_end(struct output *o);

/*
 * The line a b c text, text escaped: what out_begin(), out_bytes() of a,
 * b and c, out_safe() of text and out_end() make, in one go (the lines
 * printed for every command a node runs).
 */
void	out_line3(struct output *o, int s, const char *a, size_t alen,
	    const char *b, size_t blen, const char *c, size_t clen,
	    const char *text, size_t tlen);

/*
 * "Sent result: <result>" on standard output, the line a node prints
 * for each command it ran for a peer; of a result of many lines (a
 * program's output), the first and "(and N more lines)".
 */
void	out_sent_result(struct output *o, const char *text, size_t len);

/* Bytes without a newline, such as a prompt (not through a log). */
void	out_partial(struct output *o, int s, const char *b, size_t len);

/* A whole line, printf-style. */
void	out_line(struct output *o, int s, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
void	out_vline(struct output *o, int s, const char *fmt, va_list ap);

/*
 * Escape src[0..len) into dst as out_safe() does; dst needs room for
 * 4 * len bytes.  Returns the bytes written (no NUL is added).  Pure.
 */
size_t	out_escape(char *dst, const char *src, size_t len);

#endif
