# kaipeer: a POSIX Makefile (GNU make and BSD make alike).
#
#   make             build ./kaipeer, ./kaipeer-bench and libkaipeer.a with the
#                    C compiler alone
#   make deps        install Check (the unit-test framework) if it is missing
#   make check       build and run every test (needs Check)
#   make install     install programs, manuals, header and library under
#                    $(DESTDIR)$(PREFIX); make uninstall removes them
#   make clean
#
# CC, CFLAGS, LDFLAGS, PREFIX, MANDIR and DESTDIR may be overridden.

.POSIX:
.SUFFIXES:

CC	= cc
CFLAGS	= -O2 -g -Wall -Wextra -pedantic
LDFLAGS	=
PREFIX	= /usr/local
MANDIR	= $(PREFIX)/share/man
# What every object needs, whatever CFLAGS says.
KPFLAGS	= -std=c99 -D_POSIX_C_SOURCE=200809L -Iinclude
# The unit tests run under AddressSanitizer and UndefinedBehaviorSanitizer.
TEST_CFLAGS = -O1 -g -Wall -Wextra -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
CHECK_LIBS = `pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lrt -lm -pthread`
CHECK_CFLAGS = `pkg-config --cflags check 2>/dev/null`

LIBOBJ	= json.o config.o calc.o proto.o console.o net.o node.o
HEADERS	= include/kaipeer.h include/json.h include/config.h include/calc.h \
	  include/proto.h include/console.h include/net.h
UNIT	= tests/check_json tests/check_calc tests/check_proto tests/check_console
PROGS	= kaipeer examples/greet

all: kaipeer kaipeer-bench libkaipeer.a examples/greet

kaipeer: kaipeer.o libkaipeer.a
	$(CC) $(LDFLAGS) -o kaipeer kaipeer.o libkaipeer.a

kaipeer-bench: bench.o proto.o calc.o
	$(CC) $(LDFLAGS) -o kaipeer-bench bench.o proto.o calc.o

libkaipeer.a: $(LIBOBJ)
	rm -f libkaipeer.a
	ar rcs libkaipeer.a $(LIBOBJ)

examples/greet: examples/greet.c include/kaipeer.h libkaipeer.a
	$(CC) $(KPFLAGS) $(CFLAGS) $(LDFLAGS) -o examples/greet examples/greet.c libkaipeer.a

kaipeer.o: kaipeer.c include/kaipeer.h
	$(CC) $(KPFLAGS) $(CFLAGS) -c kaipeer.c
bench.o: bench.c include/proto.h include/calc.h
	$(CC) $(KPFLAGS) $(CFLAGS) -c bench.c
json.o: json.c include/json.h
	$(CC) $(KPFLAGS) $(CFLAGS) -c json.c
config.o: config.c include/config.h include/json.h
	$(CC) $(KPFLAGS) $(CFLAGS) -c config.c
calc.o: calc.c include/calc.h
	$(CC) $(KPFLAGS) $(CFLAGS) -c calc.c
proto.o: proto.c include/proto.h
	$(CC) $(KPFLAGS) $(CFLAGS) -c proto.c
console.o: console.c include/console.h
	$(CC) $(KPFLAGS) $(CFLAGS) -c console.c
net.o: net.c include/net.h
	$(CC) $(KPFLAGS) $(CFLAGS) -c net.c
node.o: node.c $(HEADERS)
	$(CC) $(KPFLAGS) $(CFLAGS) -c node.c

# --- tests -----------------------------------------------------------------

tests/check_json: tests/check_json.c json.c config.c include/json.h include/config.h
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_json tests/check_json.c json.c config.c $(CHECK_LIBS)
tests/check_calc: tests/check_calc.c calc.c include/calc.h
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_calc tests/check_calc.c calc.c $(CHECK_LIBS)
tests/check_proto: tests/check_proto.c proto.c include/proto.h
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_proto tests/check_proto.c proto.c $(CHECK_LIBS)
tests/check_console: tests/check_console.c console.c include/console.h
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_console tests/check_console.c console.c $(CHECK_LIBS)
tests/check_integration: tests/check_integration.c tests/harness.c tests/harness.h proto.c include/proto.h
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_integration tests/check_integration.c tests/harness.c proto.c $(CHECK_LIBS)

# The integration suite drives a kaipeer built with the sanitizers.
SAN_SRC	= kaipeer.c json.c config.c calc.c proto.c console.c net.c node.c
tests/kaipeer-asan: $(SAN_SRC) $(HEADERS)
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) -o tests/kaipeer-asan $(SAN_SRC)

# Every test: the unit suites, the integration suite (against the sanitizer
# build), the README's example, the demo, robustness under faults (network
# namespaces, a soak), portability, the fuzzers for a bounded time, and all
# of it once under valgrind.  A tool that is missing is reported as skipped.
check: $(PROGS) kaipeer-bench $(UNIT) tests/check_integration tests/kaipeer-asan
	@KAIPEER_BIN=tests/kaipeer-asan sh tests/run.sh $(UNIT) \
	    tests/check_integration tests/readme_example.sh p2p_test.sh \
	    tests/netns.sh tests/soak.sh tests/portability.sh fuzz/run.sh \
	    tests/valgrind.sh

# The fuzzers alone, FUZZ_SECONDS each (make fuzz FUZZ_SECONDS=600).
FUZZ_SECONDS = 20
fuzz:
	@sh fuzz/run.sh $(FUZZ_SECONDS)

deps:
	@sh tests/deps.sh

# kaipeer against redis-server on this machine (see docs/BENCHMARKS.md).
bench: kaipeer kaipeer-bench
	@sh scripts/bench.sh

install: kaipeer kaipeer-bench libkaipeer.a
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib \
	    $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5
	cp -f kaipeer kaipeer-bench $(DESTDIR)$(PREFIX)/bin/
	chmod 755 $(DESTDIR)$(PREFIX)/bin/kaipeer \
	    $(DESTDIR)$(PREFIX)/bin/kaipeer-bench
	cp -f libkaipeer.a $(DESTDIR)$(PREFIX)/lib/
	cp -f include/kaipeer.h $(DESTDIR)$(PREFIX)/include/
	cp -f man/kaipeer.1 $(DESTDIR)$(MANDIR)/man1/
	cp -f man/kaipeer.json.5 $(DESTDIR)$(MANDIR)/man5/
	chmod 644 $(DESTDIR)$(PREFIX)/lib/libkaipeer.a \
	    $(DESTDIR)$(PREFIX)/include/kaipeer.h \
	    $(DESTDIR)$(MANDIR)/man1/kaipeer.1 \
	    $(DESTDIR)$(MANDIR)/man5/kaipeer.json.5

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/kaipeer \
	    $(DESTDIR)$(PREFIX)/bin/kaipeer-bench \
	    $(DESTDIR)$(PREFIX)/lib/libkaipeer.a \
	    $(DESTDIR)$(PREFIX)/include/kaipeer.h \
	    $(DESTDIR)$(MANDIR)/man1/kaipeer.1 \
	    $(DESTDIR)$(MANDIR)/man5/kaipeer.json.5

clean:
	rm -f kaipeer kaipeer.o kaipeer-bench bench.o libkaipeer.a $(LIBOBJ) \
	    examples/greet \
	    $(UNIT) tests/check_integration tests/kaipeer-asan
