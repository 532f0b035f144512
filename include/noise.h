/*
 * noise: the Noise Protocol Framework (revision 34) as kaipeer uses it:
 * the handshakes Noise_XX_25519_ChaChaPoly_SHA256 and, with a pre-shared
 * key, Noise_XXpsk3_25519_ChaChaPoly_SHA256, and the transport
 * CipherStates they split into.
 *
 *   XX:     -> e
 *           <- e, ee, s, es
 *           -> s, se            (XXpsk3: -> s, se, psk)
 *
 * The code follows the specification's three objects: a CipherState (k, n)
 * with EncryptWithAd/DecryptWithAd/Rekey, a SymmetricState (ck, h and a
 * CipherState) with MixKey/MixHash/MixKeyAndHash/EncryptAndHash/
 * DecryptAndHash/Split, and a HandshakeState that runs the message
 * patterns above token by token.
 *
 * Pure: no I/O, no allocation, no randomness.  The caller gives the static
 * key, the ephemeral key (fresh random bytes, or a test vector's) and the
 * prologue.  A failed read leaves the handshake unusable (every later call
 * fails): a handshake is never resumed after a bad message.  Every secret
 * is wiped when it is no longer needed; noise_hs_wipe() wipes the rest.
 */
#ifndef KAIPEER_NOISE_H
#define KAIPEER_NOISE_H

#include <stddef.h>
#include <stdint.h>

#define NOISE_KEY	32	/* DHLEN, HASHLEN and key size */
#define NOISE_TAG	16
#define NOISE_MAX_MSG	65535	/* the specification's message limit */

/* Bytes a handshake message adds to its payload: 32 (48 with a psk),
 * 96 and 64. */
#define NOISE_MSG1_EXTRA	(32 + NOISE_TAG)	/* at most */
#define NOISE_MSG2_EXTRA	(32 + 32 + NOISE_TAG + NOISE_TAG)
#define NOISE_MSG3_EXTRA	(32 + NOISE_TAG + NOISE_TAG)

/* Transport: a key and the next nonce.  has_key 0: messages pass in clear,
 * as the specification says of an empty CipherState. */
struct noise_cipher {
	unsigned char	k[NOISE_KEY];
	uint64_t	n;
	int		has_key;
};

struct noise_hs {
	int		initiator;
	int		psk_mode;
	int		msg;		/* messages done: 0..3; -1 failed */
	struct noise_cipher cs;
	unsigned char	ck[NOISE_KEY], h[NOISE_KEY];
	unsigned char	s[NOISE_KEY], s_pub[NOISE_KEY];
	unsigned char	e[NOISE_KEY], e_pub[NOISE_KEY];
	unsigned char	rs[NOISE_KEY], re[NOISE_KEY];
	unsigned char	psk[NOISE_KEY];
};

/*
 * Start a handshake.  s: our static private key, s_pub its public key (or
 * NULL: computed here, one X25519 more); e: our ephemeral private key;
 * psk: NULL for XX, else the 32-byte pre-shared key (XXpsk3); the
 * prologue is bound into the handshake hash (both sides must give the same
 * bytes).  Keys are copied.
 */
void	noise_hs_init(struct noise_hs *hs, int initiator,
	    const unsigned char s[NOISE_KEY], const unsigned char *s_pub,
	    const unsigned char e[NOISE_KEY], const unsigned char *psk,
	    const void *prologue, size_t plen);

/* Whose turn: 1 when the next message is ours to write, 0 to read. */
int	noise_hs_my_turn(const struct noise_hs *hs);
/* 1 once the three messages have passed. */
int	noise_hs_done(const struct noise_hs *hs);

/*
 * Write the next message with payload[0..plen) into out[0..cap).  Return
 * its length, or -1 (not our turn, cap too small, failed handshake, or a
 * Diffie-Hellman result of zero).
 */
long	noise_hs_write(struct noise_hs *hs, const void *payload, size_t plen,
	    unsigned char *out, size_t cap);

/*
 * Read the peer's next message msg[0..len); its payload goes to
 * payload[0..cap).  Return the payload length, or -1: a message of the
 * wrong size, a bad tag, a low-order key, or not our turn to read.  After
 * -1 the handshake has failed for good.
 */
long	noise_hs_read(struct noise_hs *hs, const unsigned char *msg,
	    size_t len, unsigned char *payload, size_t cap);

/* The peer's static public key, known after message 2 (initiator) or 3. */
const unsigned char *noise_hs_remote(const struct noise_hs *hs);
/* Our static public key. */
const unsigned char *noise_hs_local(const struct noise_hs *hs);

/*
 * After the handshake: the two transport CipherStates (ours to send with,
 * ours to receive with) and the handshake hash (may be NULL).  The
 * handshake state is wiped.
 */
void	noise_hs_split(struct noise_hs *hs, struct noise_cipher *send,
	    struct noise_cipher *recv, unsigned char hash[NOISE_KEY]);

/* Wipe every key the handshake holds. */
void	noise_hs_wipe(struct noise_hs *hs);

/*
 * Transport messages: out[0..len+16) = EncryptWithAd(ad, in[0..len)) under
 * the next nonce.  in and out may be the same buffer.  Return 0, or -1
 * when the nonces are used up (2^64 - 1 messages).
 */
int	noise_seal(struct noise_cipher *c, const void *ad, size_t adlen,
	    const unsigned char *in, size_t len, unsigned char *out);
/* out[0..len-16) = DecryptWithAd(ad, in[0..len)); -1 on a bad tag (the
 * nonce does not advance, out untouched). */
int	noise_open(struct noise_cipher *c, const void *ad, size_t adlen,
	    const unsigned char *in, size_t len, unsigned char *out);
/* Rekey(): k = the first 32 bytes of ENCRYPT(k, 2^64 - 1, "", zeros). */
void	noise_rekey(struct noise_cipher *c);

#endif
