/*
 * addr: network addresses as kaipeer writes and parses them.  Pure but
 * for addr_local_port(), which asks the system about a socket.
 *
 * An address is written "ip:port", and an IPv6 one "[ip]:port"; a numeric
 * host (IPv4, or IPv6 bracketed or not) is parsed without any lookup, so
 * that only host names need resolve.c.
 */
#ifndef KAIPEER_ADDR_H
#define KAIPEER_ADDR_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>

#define ADDR_STRLEN	64		/* "[ipv6]:port" and NUL fit */
#define ADDR_MAX	8		/* addresses tried per dial */

/* A socket address to dial. */
struct addr {
	struct sockaddr_storage ss;
	socklen_t	 len;
};

/* Format ip and port as "ip:port" or "[ipv6]:port" into buf. */
void	addr_format(char *buf, size_t size, const char *ip, int port);

/*
 * Parse a numeric IPv4 or IPv6 address (brackets allowed around IPv6)
 * and port into a; returns 0, or -1 if host is not numeric.
 */
int	addr_numeric(const char *host, int port, struct addr *a);

/* The numeric ip (into ip[0..iplen)) and port of a socket address; "?"
 * and 0 if it has none. */
void	addr_of(const struct sockaddr *sa, socklen_t len, char *ip,
	    size_t iplen, int *port);

/* The local port of socket fd, or 0. */
int	addr_local_port(int fd);

#endif
