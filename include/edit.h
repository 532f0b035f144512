/*
 * edit: a line editor for the console, fed bytes by the caller's loop.
 *
 * Pure: the editor reads no descriptor, sets no terminal mode and handles
 * no signal.  The caller puts the terminal in raw mode, reads what the user
 * typed and hands it to edit_feed(); the editor appends what must be
 * written to the terminal to a struct edit_buf the caller owns, and says
 * when a line is complete.  Input may be split anywhere, even inside an
 * escape sequence or a UTF-8 character.
 *
 * The display is one row: when the prompt and the line are wider than the
 * terminal the line scrolls horizontally, the cursor never left of the
 * prompt nor past the last column.  Besides text, only \r, \n, \a,
 * ESC [ 0 K, ESC [ n C and (for Ctrl-L) ESC [ H ESC [ 2 J are written.
 * Width is one column per code point.  The last column of the row is never
 * written, so no terminal enters its pending-wrap state.
 *
 * The line only ever holds valid UTF-8 without control characters (C0, DEL,
 * C1): what the editor echoes is what the user typed, history entries and
 * completions are checked the same way, and malformed input is dropped.
 *
 * Bounds: the line holds EDIT_MAX bytes, the prompt EDIT_PROMPT_MAX, the
 * history as many entries as the caller allows, a Tab at most
 * EDIT_COMPLETIONS_MAX candidates of EDIT_COMPLETIONS_BYTES in all, an
 * escape sequence EDIT_SEQ_MAX bytes (a longer one is skipped whole), and
 * what is written for the terminal EDIT_OUT_MAX bytes a buffer.
 *
 * Keys: printable characters insert; Left, Right, Ctrl-B, Ctrl-F move one
 * character; Home, End, Ctrl-A, Ctrl-E; Delete; Backspace (DEL, Ctrl-H);
 * Ctrl-D (delete, or end of input on an empty line); Ctrl-K, Ctrl-U kill
 * to the end, to the start; Ctrl-W deletes the word before the cursor;
 * Ctrl-T transposes; Ctrl-L clears the screen; Up, Down, Ctrl-P, Ctrl-N
 * browse the history; Tab completes; Enter (CR, LF, or CR LF) ends the
 * line; Ctrl-C interrupts.  Other control bytes and unknown escape
 * sequences are ignored.  A lone Esc has no timeout: it takes the next
 * printable key with it (as Alt-key), while a control byte after it is
 * processed as itself.
 */
#ifndef KAIPEER_EDIT_H
#define KAIPEER_EDIT_H

#include <stddef.h>

#define EDIT_MAX		4096	/* bytes in a line */
#define EDIT_PROMPT_MAX		128	/* bytes of prompt kept */
#define EDIT_SEQ_MAX		32	/* bytes of an escape sequence kept */
#define EDIT_HISTORY_DEFAULT	1000	/* entries, until edit_history_set_max */
#define EDIT_COMPLETIONS_MAX	256	/* candidates offered at one Tab */
#define EDIT_COMPLETIONS_BYTES	16384	/* their bytes, a NUL each included */
#define EDIT_OUT_MAX		(1024 * 1024)	/* terminal bytes in an edit_buf */

/* What edit_feed() stopped at. */
enum edit_event {
	EDIT_MORE,		/* all input used, the line goes on */
	EDIT_LINE,		/* Enter: edit_line() gives the line */
	EDIT_EOF,		/* Ctrl-D on an empty line */
	EDIT_INTERRUPT		/* Ctrl-C: the line was dropped */
};

/*
 * Bytes for the terminal, appended by the editor.  Start from all zeroes.
 * The caller writes p[0..len), then calls edit_buf_reset().  If an append
 * fails (out of memory, or terminal output past EDIT_OUT_MAX) the editor
 * keeps what it had, never a partial escape sequence, and sets lost: the
 * screen is then out of step, and after edit_buf_reset() an edit_show()
 * draws it again.
 */
struct edit_buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	int	 lost;		/* an append failed since the last reset */
};

/* The candidates of one Tab, filled by the completion callback. */
struct edit_completions {
	size_t	 n;
	size_t	 used;				/* bytes of text in use */
	size_t	 off[EDIT_COMPLETIONS_MAX];	/* where each one starts */
	char	 text[EDIT_COMPLETIONS_BYTES];
};

/*
 * The state of one editor.  The caller allocates it and calls edit_init();
 * the members are private to edit.c.
 */
struct edit {
	char	 prompt[EDIT_PROMPT_MAX + 1];
	size_t	 prompt_len;		/* bytes */
	size_t	 prompt_cols;		/* columns */
	char	 line[EDIT_MAX + 1];	/* NUL-terminated */
	size_t	 len;
	size_t	 pos;			/* the cursor, a byte offset */
	size_t	 cols;			/* terminal width */

	char	 saved[EDIT_MAX + 1];	/* the new line, while browsing */
	size_t	 saved_len;
	char	**hist;			/* a ring, oldest at hist[head] */
	size_t	 hist_n, hist_cap, hist_head, hist_max;
	size_t	 hist_idx;		/* 0: the new line; n: n entries back */

	void	(*complete)(void *, const char *, size_t,
		    struct edit_completions *);
	void	*complete_ctx;
	struct edit_completions comp;

	int	 esc;			/* escape parser state */
	unsigned char seq[EDIT_SEQ_MAX];
	size_t	 seq_len;		/* may pass EDIT_SEQ_MAX: skipped */
	unsigned char u8[4];		/* a UTF-8 character coming in */
	size_t	 u8_len, u8_need;
	int	 skip_lf;		/* a CR ended the last line */

	int	 shown;			/* prompt and line are on screen */
	int	 dirty;			/* the screen needs a full refresh */
	int	 bell;			/* ring once at the end of the feed */
	int	 clear;			/* clear the screen first */
	int	 done;			/* the event that ended the line */
};

/*
 * Start an editor: the prompt is copied (see edit_set_prompt()), the
 * terminal is cols columns wide (cols < 1 means 80), the history is empty
 * with room for EDIT_HISTORY_DEFAULT entries, there is no completion.
 * Nothing is drawn until edit_show().  Allocates nothing; edit_free()
 * releases what the history takes.
 */
void	edit_init(struct edit *e, const char *prompt, int cols);

/* Free the history.  e may be edit_init()'ed again afterwards. */
void	edit_free(struct edit *e);

/*
 * Replace the prompt.  It is copied, truncated to EDIT_PROMPT_MAX bytes at
 * a character boundary, dropping control characters and malformed UTF-8;
 * it should be plain text (no colours), one column per code point.  It
 * shows at the next refresh: edit_hide(), edit_set_prompt(), edit_show()
 * changes it on screen.
 */
void	edit_set_prompt(struct edit *e, const char *prompt);

/*
 * The terminal is now cols columns wide (cols < 1 means 80).  If the line
 * is shown, the bytes that redraw it are appended to out.
 */
void	edit_resize(struct edit *e, int cols, struct edit_buf *out);

/*
 * Consume in[0..len) until an event.  *used (if used is not NULL) is set to
 * the bytes consumed: all of them with EDIT_MORE; up to and including the
 * key of the event otherwise, the rest being for the next line.  What the
 * terminal must show is appended to out, nothing while the line is hidden
 * (edits go on and show at edit_show()).
 *
 * EDIT_LINE: the line stays on screen, scrolled to its end, followed by
 * "\r\n"; edit_line() gives it until the next line starts.  The editor does
 * not add it to the history: the caller decides, with edit_history_add().
 * EDIT_EOF: "\r\n" is written, the line is empty.  EDIT_INTERRUPT: "^C\r\n"
 * is written after the line ("\r\n" if "^C" would reach the last column)
 * and the line is dropped.  After an event the
 * line is hidden; edit_reset() then edit_show() draw a fresh prompt.  A
 * feed after an event without edit_reset() starts the next line itself.
 */
int	edit_feed(struct edit *e, const unsigned char *in, size_t len,
	    size_t *used, struct edit_buf *out);

/*
 * The line: NUL-terminated, *len (if len is not NULL) its length in bytes.
 * Owned by the editor, valid until the next call on e.
 */
const char *edit_line(const struct edit *e, size_t *len);

/* The cursor, as a byte offset into edit_line(). */
size_t	edit_cursor(const struct edit *e);

/*
 * Start a new empty line, leaving history browsing; nothing is drawn (call
 * edit_show()).  A pending escape sequence or character is kept.
 */
void	edit_reset(struct edit *e);

/*
 * Take the prompt and the line off the screen (\r ESC [ 0 K) so that the
 * caller can print lines of its own, each ending in "\r\n"; then
 * edit_show().  Appends nothing if the line is not shown.
 */
void	edit_hide(struct edit *e, struct edit_buf *out);

/*
 * Draw the prompt and the line, with the cursor in place, on the row the
 * terminal cursor is on.  Also redraws a line that is shown, after out
 * lost bytes or the screen was spoiled.
 */
void	edit_show(struct edit *e, struct edit_buf *out);

/*
 * Register the completion callback, called at each Tab with ctx and the
 * line (line[len] is NUL).  It adds whole replacement lines with
 * edit_add_completion() and must not call other functions on the editor.
 * With one candidate, the line becomes it, cursor at the end.  With several,
 * the line becomes their longest common prefix if that is longer than the
 * line; otherwise they are listed on the row below, separated by spaces,
 * and the prompt is drawn again under them.  With none, a bell.  fn NULL:
 * Tab is ignored.
 */
void	edit_set_complete(struct edit *e, void (*fn)(void *ctx,
	    const char *line, size_t len, struct edit_completions *c),
	    void *ctx);

/*
 * Offer text as a candidate.  Returns 0 if it was added or already there,
 * -1 if it was refused: not valid UTF-8 without control characters, or
 * longer than EDIT_MAX (errno EINVAL); more than EDIT_COMPLETIONS_MAX
 * candidates or EDIT_COMPLETIONS_BYTES bytes (errno ENOSPC).
 */
int	edit_add_completion(struct edit_completions *c, const char *text);

/*
 * Keep at most max entries (0: keep none), dropping the oldest ones now if
 * there are more.
 */
void	edit_history_set_max(struct edit *e, size_t max);

/*
 * Append line as the newest history entry.  Returns 1 if it was stored; 0
 * if it was not because it is empty or the same as the newest entry (or the
 * maximum is 0); -1 if it was refused: longer than EDIT_MAX, control
 * characters or malformed UTF-8 (errno EINVAL), or out of memory (errno
 * ENOMEM).  The oldest entry goes when the history is full.
 */
int	edit_history_add(struct edit *e, const char *line);

/* Entries stored, and entry i of them, 0 the oldest (NULL if none). */
size_t	edit_history_len(const struct edit *e);
const char *edit_history_get(const struct edit *e, size_t i);

/*
 * Add the lines of buf[0..len) (a history file the caller read), oldest
 * first, as edit_history_add() would; a CR before a newline is dropped,
 * lines it refuses are skipped.  Returns the entries stored, or -1 with
 * errno ENOMEM if memory ran out (what was stored stays).
 */
int	edit_history_load(struct edit *e, const char *buf, size_t len);

/*
 * Append the history to out, oldest first, one entry a line ending in "\n",
 * for the caller to write to a file.  Returns 0, or -1 (out->lost set) if
 * out could not hold it.
 */
int	edit_history_save(const struct edit *e, struct edit_buf *out);

/* Empty b, keeping its memory, and clear b->lost. */
void	edit_buf_reset(struct edit_buf *b);

/* Free b's memory; b is empty and usable again. */
void	edit_buf_free(struct edit_buf *b);

#endif
