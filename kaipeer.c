/*
 * kaipeer: the program.  Everything lives in libkaipeer (node.c and the
 * modules it uses); this is the smallest embedding of it.
 */
#include <stdio.h>

#include "kaipeer.h"

int
main(int argc, char **argv)
{
	struct kaipeer_node *node;
	int rc;

	if ((node = kaipeer_new()) == NULL) {
		fprintf(stderr, "kaipeer: out of memory\n");
		return KAIPEER_EXIT_SOFTWARE;
	}
	rc = kaipeer_main(node, argc, argv);
	kaipeer_free(node);
	return rc;
}
