# kaipeer: a POSIX Makefile (GNU make and BSD make alike).
#
#   make             build ./kaipeer, ./kaipeer-bench, libkaipeer.a and the
#                    examples with the C compiler alone
#   make deps        install what the tests use, where it is missing
#   make test        the quick tests (half a minute): unit suites,
#                    integration suite, demo
#   make check       every test (needs Check)
#   make fuzz        the fuzzers alone, FUZZ_SECONDS each
#   make bench       kaipeer next to redis (see docs/BENCHMARKS.md)
#   make install     install programs, manuals, header and library under
#                    $(DESTDIR)$(PREFIX); make uninstall removes them
#   make clean
#
# CC, CFLAGS, LDFLAGS, AR, PREFIX, MANDIR and DESTDIR may be overridden.

.POSIX:
.SUFFIXES:
.SUFFIXES: .c .o
.PHONY: all deps test check fuzz bench install uninstall clean

CC	= cc
AR	= ar
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

# The library, layer by layer from the bottom (docs/DESIGN.md).
PURE	= json.o confread.o conftrust.o config.o words.o select.o chain.o \
	  console.o calc.o proto.o map.o addr.o base64.o ct.o sha256.o \
	  chacha20.o poly1305.o aead.o x25519.o noise.o seal.o edit.o frames.o
LIBOBJ	= $(PURE) random.o keys.o loop.o output.o net.o resolve.o session.o \
	  secure.o table.o guard.o beacon.o \
	  peers.o request.o command.o builtin.o proc.o exec.o pick.o relay.o \
	  discover.o fanout.o \
	  node.o nodecfg.o report.o admin.o shell.o script.o term.o repl.o \
	  cli.o
HEADERS	= include/kaipeer.h include/json.h include/confread.h include/config.h include/calc.h \
	  include/proto.h include/console.h include/map.h include/addr.h \
	  include/random.h include/loop.h \
	  include/output.h include/net.h include/resolve.h include/session.h \
	  include/table.h include/peers.h include/request.h include/command.h \
	  include/node.h include/builtin.h include/repl.h include/words.h \
	  include/select.h include/chain.h include/proc.h include/exec.h \
	  include/fanout.h include/report.h include/admin.h include/shell.h \
	  include/script.h include/conftrust.h include/base64.h include/ct.h \
	  include/sha256.h include/chacha20.h include/poly1305.h \
	  include/aead.h include/x25519.h include/noise.h include/seal.h \
	  include/keys.h include/guard.h include/secure.h include/edit.h \
	  include/term.h include/frames.h include/pick.h include/relay.h \
	  include/discover.h include/beacon.h include/wire.h
CRYPTO_SRC = ct.c sha256.c chacha20.c poly1305.c aead.c x25519.c
LIBSRC	= json.c confread.c conftrust.c config.c words.c select.c chain.c \
	  console.c calc.c proto.c frames.c map.c addr.c base64.c edit.c \
	  $(CRYPTO_SRC) noise.c seal.c random.c keys.c loop.c output.c net.c \
	  resolve.c session.c secure.c table.c guard.c beacon.c peers.c \
	  request.c command.c builtin.c proc.c exec.c pick.c relay.c discover.c \
	  fanout.c node.c nodecfg.c report.c admin.c shell.c script.c \
	  term.c repl.c cli.c
UNIT	= tests/check_json tests/check_calc tests/check_proto \
	  tests/check_console tests/check_chain tests/check_loop \
	  tests/check_output tests/check_proc tests/check_library \
	  tests/check_crypto tests/check_x25519 tests/check_noise \
	  tests/check_edit tests/check_frames tests/check_beacon
# Suites that drive real kaipeer processes.
SUITES	= tests/check_integration tests/check_defects tests/check_fanout \
	  tests/check_exec tests/check_secure tests/check_tty tests/check_mesh
EXAMPLES = examples/greet examples/ask

all: kaipeer kaipeer-bench libkaipeer.a $(EXAMPLES)

.c.o:
	$(CC) $(KPFLAGS) $(CFLAGS) -c $<

$(LIBOBJ) kaipeer.o: $(HEADERS)
bench.o benchopt.o benchrep.o benchfan.o benchsec.o benchmesh.o: $(HEADERS) include/bench.h

kaipeer: kaipeer.o libkaipeer.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o kaipeer kaipeer.o libkaipeer.a

kaipeer-bench: bench.o benchopt.o benchrep.o benchfan.o benchsec.o benchmesh.o libkaipeer.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o kaipeer-bench bench.o benchopt.o benchrep.o benchfan.o benchsec.o benchmesh.o libkaipeer.a

libkaipeer.a: $(LIBOBJ)
	rm -f libkaipeer.a
	$(AR) rcs libkaipeer.a $(LIBOBJ)

examples/greet: examples/greet.c include/kaipeer.h libkaipeer.a
	$(CC) $(KPFLAGS) $(CFLAGS) $(LDFLAGS) -o examples/greet examples/greet.c libkaipeer.a
examples/ask: examples/ask.c include/kaipeer.h libkaipeer.a
	$(CC) $(KPFLAGS) $(CFLAGS) $(LDFLAGS) -o examples/ask examples/ask.c libkaipeer.a

# --- tests -----------------------------------------------------------------

CONFIG_SRC = json.c confread.c conftrust.c config.c console.c words.c \
	  select.c base64.c
tests/check_json: tests/check_json.c $(CONFIG_SRC) $(HEADERS)
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_json tests/check_json.c $(CONFIG_SRC) $(CHECK_LIBS)
tests/check_calc: tests/check_calc.c calc.c include/calc.h
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_calc tests/check_calc.c calc.c $(CHECK_LIBS)
tests/check_proto: tests/check_proto.c proto.c include/proto.h include/wire.h
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_proto tests/check_proto.c proto.c $(CHECK_LIBS)
tests/check_console: tests/check_console.c console.c words.c select.c $(HEADERS)
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_console tests/check_console.c console.c words.c select.c $(CHECK_LIBS)
tests/check_chain: tests/check_chain.c chain.c words.c select.c $(HEADERS)
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_chain tests/check_chain.c chain.c words.c select.c $(CHECK_LIBS)
tests/check_loop: tests/check_loop.c loop.c map.c include/loop.h include/map.h
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_loop tests/check_loop.c loop.c map.c $(CHECK_LIBS)
tests/check_output: tests/check_output.c output.c loop.c include/output.h include/loop.h
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_output tests/check_output.c output.c loop.c $(CHECK_LIBS)
tests/check_proc: tests/check_proc.c proc.c loop.c map.c include/proc.h include/loop.h
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_proc tests/check_proc.c proc.c loop.c map.c $(CHECK_LIBS)
tests/check_library: tests/check_library.c $(LIBSRC) $(HEADERS)
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_library tests/check_library.c $(LIBSRC) $(CHECK_LIBS)
tests/check_frames: tests/check_frames.c frames.c proto.c include/frames.h include/proto.h include/wire.h
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_frames tests/check_frames.c frames.c proto.c $(CHECK_LIBS)
tests/check_beacon: tests/check_beacon.c beacon.c loop.c random.c include/beacon.h include/loop.h include/random.h
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_beacon tests/check_beacon.c beacon.c loop.c random.c $(CHECK_LIBS)
tests/check_edit: tests/check_edit.c edit.c include/edit.h
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_edit tests/check_edit.c edit.c $(CHECK_LIBS)
tests/check_crypto: tests/check_crypto.c $(CRYPTO_SRC) json.c $(HEADERS)
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_crypto tests/check_crypto.c $(CRYPTO_SRC) json.c $(CHECK_LIBS)
tests/check_x25519: tests/check_x25519.c $(CRYPTO_SRC) json.c $(HEADERS)
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_x25519 tests/check_x25519.c $(CRYPTO_SRC) json.c $(CHECK_LIBS)
tests/crypto_tool: tests/crypto_tool.c $(CRYPTO_SRC) $(HEADERS)
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) -o tests/crypto_tool tests/crypto_tool.c $(CRYPTO_SRC)
NOISE_SRC = noise.c seal.c base64.c keys.c random.c loop.c map.c $(CRYPTO_SRC) json.c
tests/check_noise: tests/check_noise.c $(NOISE_SRC) $(HEADERS)
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_noise tests/check_noise.c $(NOISE_SRC) $(CHECK_LIBS)
SUITE_SRC = tests/suite.c tests/harness.c proto.c
SUITE_DEP = $(SUITE_SRC) tests/suite.h tests/harness.h include/proto.h
tests/check_integration: tests/check_integration.c $(SUITE_DEP)
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_integration tests/check_integration.c $(SUITE_SRC) $(CHECK_LIBS)
tests/check_defects: tests/check_defects.c $(SUITE_DEP)
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_defects tests/check_defects.c $(SUITE_SRC) $(CHECK_LIBS)
tests/check_fanout: tests/check_fanout.c $(SUITE_DEP)
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_fanout tests/check_fanout.c $(SUITE_SRC) $(CHECK_LIBS)
tests/check_exec: tests/check_exec.c $(SUITE_DEP)
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_exec tests/check_exec.c $(SUITE_SRC) $(CHECK_LIBS)
tests/check_secure: tests/check_secure.c $(SUITE_DEP)
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_secure tests/check_secure.c $(SUITE_SRC) $(CHECK_LIBS)
tests/check_mesh: tests/check_mesh.c frames.c include/frames.h $(SUITE_DEP)
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_mesh tests/check_mesh.c frames.c $(SUITE_SRC) $(CHECK_LIBS)
tests/check_tty: tests/check_tty.c tests/harness.c tests/harness.h
	$(CC) $(KPFLAGS) -D_XOPEN_SOURCE=600 $(TEST_CFLAGS) $(CHECK_CFLAGS) -o tests/check_tty tests/check_tty.c tests/harness.c proto.c $(CHECK_LIBS)

# The integration suite drives a kaipeer built with the sanitizers.
tests/kaipeer-asan: kaipeer.c $(LIBSRC) $(HEADERS)
	$(CC) $(KPFLAGS) $(TEST_CFLAGS) -o tests/kaipeer-asan kaipeer.c $(LIBSRC)

TESTBIN	= kaipeer kaipeer-bench $(EXAMPLES) $(UNIT) $(SUITES) tests/kaipeer-asan \
	  tests/crypto_tool

# The quick tests, for the edit-compile-test loop, in under a minute:
# the unit suites, the integration suite and the demo.
test: $(TESTBIN)
	@KAIPEER_BIN=tests/kaipeer-asan sh tests/run.sh -j 2 \
	    tests/check_integration $(UNIT) p2p_test.sh

# Every test: the quick ones, then robustness under faults (network
# namespaces, a soak), portability, the fuzzers for a bounded time, and all
# of it once under valgrind.  A tool that is missing is reported as skipped.
check: $(TESTBIN)
	@KAIPEER_BIN=tests/kaipeer-asan sh tests/run.sh $(UNIT) \
	    tests/crypto_diff.sh $(SUITES) tests/readme_example.sh p2p_test.sh \
	    tests/netns.sh tests/netns_mesh.sh tests/soak.sh tests/portability.sh \
	    fuzz/run.sh tests/valgrind.sh

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
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	    $(DESTDIR)$(PREFIX)/lib/systemd/system \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	cp -f kaipeer kaipeer-bench $(DESTDIR)$(PREFIX)/bin/
	chmod 755 $(DESTDIR)$(PREFIX)/bin/kaipeer \
	    $(DESTDIR)$(PREFIX)/bin/kaipeer-bench
	cp -f libkaipeer.a $(DESTDIR)$(PREFIX)/lib/
	cp -f include/kaipeer.h $(DESTDIR)$(PREFIX)/include/
	cp -f man/kaipeer.1 $(DESTDIR)$(MANDIR)/man1/
	cp -f man/kaipeer.json.5 $(DESTDIR)$(MANDIR)/man5/
	sed -e 's|@PREFIX@|$(PREFIX)|g' \
	    -e "s|@VERSION@|`sed -n 's/^#define KAIPEER_VERSION \"\(.*\)\"/\1/p' include/kaipeer.h`|" \
	    contrib/kaipeer.pc.in >$(DESTDIR)$(PREFIX)/lib/pkgconfig/kaipeer.pc
	sed -e 's|@PREFIX@|$(PREFIX)|g' contrib/kaipeer.service.in \
	    >$(DESTDIR)$(PREFIX)/lib/systemd/system/kaipeer.service
	cp -f contrib/kaipeer.bash-completion \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/kaipeer
	chmod 644 $(DESTDIR)$(PREFIX)/lib/libkaipeer.a \
	    $(DESTDIR)$(PREFIX)/include/kaipeer.h \
	    $(DESTDIR)$(MANDIR)/man1/kaipeer.1 \
	    $(DESTDIR)$(MANDIR)/man5/kaipeer.json.5 \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig/kaipeer.pc \
	    $(DESTDIR)$(PREFIX)/lib/systemd/system/kaipeer.service \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/kaipeer

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/kaipeer \
	    $(DESTDIR)$(PREFIX)/bin/kaipeer-bench \
	    $(DESTDIR)$(PREFIX)/lib/libkaipeer.a \
	    $(DESTDIR)$(PREFIX)/include/kaipeer.h \
	    $(DESTDIR)$(MANDIR)/man1/kaipeer.1 \
	    $(DESTDIR)$(MANDIR)/man5/kaipeer.json.5 \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig/kaipeer.pc \
	    $(DESTDIR)$(PREFIX)/lib/systemd/system/kaipeer.service \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/kaipeer

clean:
	rm -f kaipeer kaipeer.o kaipeer-bench bench.o benchopt.o benchrep.o benchfan.o benchsec.o \
	    benchmesh.o \
	    libkaipeer.a $(LIBOBJ) \
	    $(EXAMPLES) $(UNIT) $(SUITES) tests/kaipeer-asan tests/crypto_tool
