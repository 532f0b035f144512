/*
 * addr: addresses written and parsed (contract in include/addr.h).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

void
addr_format(char *buf, size_t size, const char *ip, int port)
{
	if (strchr(ip, ':') != NULL)
		snprintf(buf, size, "[%s]:%d", ip, port);
	else
		snprintf(buf, size, "%s:%d", ip, port);
}

/* Numeric ip and port of a socket address. */
void
addr_of(const struct sockaddr *sa, socklen_t len, char *ip, size_t iplen,
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

int
addr_local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char ip[ADDR_STRLEN];
	int port = 0;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		addr_of((struct sockaddr *)&ss, len, ip, sizeof(ip), &port);
	return port;
}

int
addr_numeric(const char *host, int port, struct addr *a)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->ss;
	char buf[ADDR_STRLEN];
	size_t len = strlen(host);

	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		a->len = sizeof(*s4);
		return 0;
	}
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']' &&
	    len - 2 < sizeof(buf)) {
		memcpy(buf, host + 1, len - 2);
		buf[len - 2] = '\0';
		host = buf;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		a->len = sizeof(*s6);
		return 0;
	}
	return -1;
}
