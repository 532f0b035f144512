/*
 * session: one link to a peer, over one connection.  The handshake, the
 * framing, heartbeats and every deadline of a link live here; this is also
 * where an encryption layer will sit, between the connection's buffers and
 * the frame reader.
 *
 * A session sends its HELLO as soon as the connection is up and is "up" once
 * the peer's HELLO has been accepted by the owner (ops->hello).  On a
 * secured node (env->keys) the Noise handshake runs between the two: the
 * peer must be secured too (else both ends refuse, ERROR 10), must prove
 * its static key, which the owner judges (ops->authorize: ERROR 11 when
 * refused), and from then on every frame is sealed (seal.h); a frame that
 * fails its tag ends the link (ERROR 12).  The owner hears of the peer
 * (ops->hello) only once its key is known and accepted.  From then
 * on frames are decoded and handed to the owner: commands, results, cancels,
 * warnings.  What the peer understands beyond version 1 is in its HELLO's
 * features (peer.features): a CANCEL or a RESULT's exit code goes only to a
 * peer that announced it.  The session answers PINGs itself, sends PINGs
 * when the link is idle, and ends the link, telling the owner why, when
 *   - the peer's HELLO does not come within connectTimeout;
 *   - a frame does not arrive whole within frameTimeout of its first byte;
 *   - nothing came from the peer and it accepted none of our bytes for
 *     heartbeatTimeout (a link moving a big frame slowly is alive);
 *   - the peer breaks the protocol (it is sent an ERROR first), sends a
 *     fatal ERROR, says BYE, or the connection breaks.
 *
 * Flow control: while more than the high-water mark of output waits for the
 * peer to read it, the session reads no further frames from the peer; below
 * the low-water mark it reads again and tells the owner (ops->writable),
 * which may send more.  A peer that reads nothing for heartbeatTimeout is
 * dropped (SESS_STALLED).
 *
 * A link found to duplicate another is retired (session_retire(), or an
 * ERROR 8 from the peer): nothing more is sent on it, commands arriving on
 * it are not run, results still are delivered, and once the peer has closed
 * its side the owner hears SESS_RETIRED and moves what was in flight to the
 * link that stays.
 *
 * The owner is called back only for what it did not cause: after
 * session_close(), session_bye() or session_refuse() no callback comes.
 */
#ifndef KAIPEER_SESSION_H
#define KAIPEER_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "loop.h"
#include "net.h"
#include "noise.h"
#include "proto.h"

/* Why a session ended. */
enum sess_end {
	SESS_CONNECT_FAILED,	/* the TCP connect failed (err) */
	SESS_HANDSHAKE_TIMEOUT,	/* no HELLO within connectTimeout */
	SESS_BYE,		/* the peer said goodbye */
	SESS_LOST,		/* end of file or reset (err) */
	SESS_TIMEOUT,		/* no sign of life for heartbeatTimeout */
	SESS_STALLED,		/* it read nothing of our output for as long */
	SESS_VIOLATION,		/* it broke the protocol; we sent ERROR */
	SESS_REFUSED,		/* it sent a fatal ERROR (code, text) */
	SESS_SELF,		/* it is this node */
	SESS_RETIRED,		/* a duplicate link, now closed */
	SESS_DENIED		/* we refused it: security (text says why) */
};

/* A secured node's keys (docs/PROTOCOL.md, section 10). */
struct sess_keys {
	unsigned char	secret[32];	/* the static private key */
	unsigned char	pub[32];
	unsigned char	psk[32];
	int		has_psk;
};

/* What every session of a node shares. */
struct sess_env {
	struct loop	*loop;
	struct net	*net;
	struct proto_hello hello;	/* ours; max_frame announced */
	size_t		 max_frame;	/* the longest length field we take */
	long		 connect_timeout_ms;
	long		 heartbeat_interval_ms;
	long		 heartbeat_timeout_ms;
	long		 frame_timeout_ms;
	long		 linger_ms;	/* closing with output: at most this */
	size_t		 hwm;		/* output high-water mark */
	const struct sess_keys *keys;	/* NULL: not secured */
	/* -v: every frame in (out 0) and out (out 1); NULL: none. */
	void		(*trace)(void *ctx, const char *who, int out,
			    const unsigned char *frame, size_t size);
	void		*trace_ctx;
};

enum sess_state {
	SESS_S_CONNECTING,	/* TCP connect in progress */
	SESS_S_HELLO,		/* our HELLO sent, theirs awaited */
	SESS_S_NOISE,		/* HELLOs done, the Noise handshake runs */
	SESS_S_UP,		/* handshake done */
	SESS_S_RETIRING,	/* duplicate: draining */
	SESS_S_CLOSED
};

struct session;

struct session_ops {
	/* Their HELLO is valid and not from us: return 0 to accept it, or
	 * -1 having closed, refused or retired the session. */
	int	(*hello)(void *ctx, struct session *s,
		    const struct proto_hello *h);
	void	(*command)(void *ctx, struct session *s, uint32_t id,
		    const char *text, size_t len);
	/* exit_code: the program's exit code, or -1 (none given). */
	void	(*result)(void *ctx, struct session *s, uint32_t id,
		    int status, int exit_code, const char *text, size_t len);
	/* The peer no longer waits for the result of its command id. */
	void	(*cancel)(void *ctx, struct session *s, uint32_t id);
	/* A secured peer proved it holds key: return 0 to go on, or -1
	 * with why (a sentence naming the key) to refuse it.  s->user may
	 * be NULL (an inbound link). */
	int	(*authorize)(void *ctx, struct session *s,
		    const unsigned char key[32], char *why, size_t whysize);
	/* A warning ERROR (code 6, 7 or unknown) from the peer, or, with
	 * code 0, a note of ours about the peer, given once per link. */
	void	(*warning)(void *ctx, struct session *s, unsigned code,
		    const char *text, size_t len);
	/* A frame of a type added after the first edition (RELAY, PART,
	 * PEERS): 0 when taken, a negative PROTO_E* when it does not
	 * decode (a protocol violation), 1 when not understood. */
	int	(*frame)(void *ctx, struct session *s,
		    const struct proto_frame *f);
	/* Room for more output again (ops may send). */
	void	(*writable)(void *ctx, struct session *s);
	/* The end, and why: err is an errno (CONNECT_FAILED, LOST), or the
	 * ERROR code (REFUSED) or ours (VIOLATION); text says it in words.
	 * The session is freed after the call. */
	void	(*closed)(void *ctx, struct session *s, enum sess_end why,
		    int err, const char *text);
};

struct session {
	const struct sess_env *env;
	const struct session_ops *ops;
	void		*ctx;
	void		*user;		/* the owner's, untouched here */
	struct conn	*conn;
	enum sess_state	 state;
	int		 outbound;
	unsigned	 gen;		/* a number no other session had */
	char		 who[ADDR_STRLEN];	/* for traces and notes */
	struct proto_hello peer;	/* theirs, once up */
	size_t		 peer_max;	/* the longest frame we may send */
	long long	 started;
	long long	 frame_start;	/* first byte of a partial frame */
	long long	 last_ping;
	int		 paused;	/* above the high-water mark */
	int		 warned;	/* a note about the peer was given */
	int		 refs;		/* callbacks running: free later */
	int		 retire_sent;	/* we sent ERROR 8 */
	/* Secured links. */
	struct noise_hs	*hs;		/* during the handshake */
	struct noise_cipher tx, rx;	/* afterwards */
	int		 sealed;	/* our frames go sealed */
	int		 got_sealed;	/* a sealed frame came */
	int		 has_key;
	unsigned char	 peer_key[32];	/* its static key, proven */
	/* The plaintext streams of a sealed link (seal.h): frames to seal
	 * at the next write, and frames opened, [pin_off, pin_len) unread. */
	unsigned char	*pout;
	size_t		 pout_len, pout_cap;
	unsigned char	*pin;
	size_t		 pin_off, pin_len, pin_cap;
	struct loop_timer timer;
};

/*
 * Dial addrs (tried in order); or run the handshake on an accepted
 * connection.  ops and ctx receive the callbacks.  NULL if no memory (or
 * the dial failed at once: errno says why).
 */
struct session *session_dial(const struct sess_env *env,
	    const struct addr *addrs, int n,
	    const struct session_ops *ops, void *ctx);
struct session *session_accept(const struct sess_env *env, struct conn *c,
	    const struct session_ops *ops, void *ctx);

/* Refuse an accepted connection outright: an ERROR, no HELLO, close. */
void	session_reject(const struct sess_env *env, struct conn *c,
	    unsigned code, const char *text);

/*
 * Send a frame.  Returns 0, or -1 when the frame cannot be queued (the
 * link is not up, or past its hard output cap; the caller may drop it).
 * A RESULT whose text the peer would not accept is replaced by an error
 * result that says so; session_send_command() refuses (-2) a command the
 * peer would not accept: see session_max_text().
 */
int	session_send_command(struct session *s, uint32_t id, const char *text,
	    size_t len);
int	session_send_result(struct session *s, uint32_t id, int status,
	    int exit_code, const char *text, size_t len);

/*
 * Tell the peer we no longer wait for the result of id.  Returns 0, or -1
 * if it cannot be sent (not up, output full, or a peer that did not
 * announce PROTO_FEAT_CANCEL).
 */
int	session_send_cancel(struct session *s, uint32_t id);
int	session_send_warning(struct session *s, unsigned code,
	    const char *text);

/*
 * Room for a frame of need bytes (header included) that the caller
 * encodes in place and queues with session_commit(s, p, size); NULL when
 * the link is not up, the frame exceeds what the peer accepts, or the
 * output is past its hard cap.  session_commit() takes the encoder's
 * return value: 0, or -1 when it was negative (nothing is queued).
 */
unsigned char *session_space(struct session *s, size_t need);
int	session_commit(struct session *s, unsigned char *p, long n);
/* Does the peer understand these PROTO_FEAT_* bits? */
int	session_has(const struct session *s, uint32_t features);
/* The longest COMMAND text the peer accepts on this link. */
size_t	session_max_text(const struct session *s);

/* May more commands be queued now (up, below the high-water mark)? */
int	session_ready(const struct session *s);

/* End the link: at once; with a BYE; with an ERROR (code, text). */
void	session_close(struct session *s);
void	session_bye(struct session *s, const char *text);
void	session_refuse(struct session *s, unsigned code, const char *text);

/* Retire a duplicate link: ERROR 8 now, SESS_RETIRED later. */
void	session_retire(struct session *s);

/* The initiator's TCP source port: both ends of the link know it. */
int	session_initiator_port(const struct session *s);

/* "connection lost", "timed out"...: a phrase for a reason. */
const char *session_end_name(enum sess_end why);

/* What the end of an up link is called in result lines: "peer
 * disconnected", "connection lost"... */
const char *session_down_phrase(enum sess_end why);

/*
 * For secure.c alone, the pieces of a session it builds on: end the
 * session (the owner hears why); send a frame of any type, or an ERROR or
 * BYE; break off for a protocol error (ERROR code, then the end); take
 * the peer's ERROR; bring the link up (the owner's ops->hello); PING.
 */
void	session_end(struct session *s, enum sess_end why, int err,
	    const char *text);
/* What is queued goes (sealed), then the connection closes within the
 * linger time; s no longer has it. */
void	session_linger(struct session *s);
int	session_frame(struct session *s, int type, const void *payload,
	    size_t len);
int	session_send_text(struct session *s, int type, unsigned code,
	    const char *text, size_t len);
void	session_violation(struct session *s, unsigned code, const char *what);
void	session_error_in(struct session *s, const struct proto_text *t);
void	session_up(struct session *s);
int	session_ping(struct session *s);

/*
 * Of two links old and new to one node, should new stay (and old be
 * retired)?  The one initiated by the smaller node id stays, or, with one
 * initiator, the one from its lower source port (docs/PROTOCOL.md, 7.3),
 * so both ends keep the same.  our_id is this node's id.
 */
int	session_keep_new(const struct session *old, const struct session *new,
	    const unsigned char *our_id);

#endif
