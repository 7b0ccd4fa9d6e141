# typeset — build, set-up, demo and tests.  `make demo` and `make test` are the
# two commands a fresh Debian 12 machine needs (both run `make deps` first).

PREFIX ?= /usr/local
CC ?= cc
PKGS := pangocairo pangoft2 harfbuzz harfbuzz-subset freetype2 cairo-ft fontconfig cairo-pdf cairo-png zlib libdeflate libcrypto libxxhash yaml-0.1 libcmark-gfm libqpdf librsvg-2.0
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.1.0)
OPT ?= -O2 -g
CFLAGS_BASE = -std=c17 -Wall -Wextra -Werror -D_GNU_SOURCE $(OPT) -DTS_VERSION='"$(VERSION)"' \
  $(if $(QPDF_SONAME),-DTS_QPDF_SONAME='"$(QPDF_SONAME)"') $(if $(RSVG_SONAME),-DTS_RSVG_SONAME='"$(RSVG_SONAME)"') \
  $(if $(CRYPTO_SONAME),-DTS_CRYPTO_SONAME='"$(CRYPTO_SONAME)"')
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libqpdf and librsvg are not linked: typeset/dynload.h opens each on first
# use (with what they pull in, they cost 12 ms at every start), by the SONAME
# of the library the headers came with.  Tests that call qpdf themselves link it.
# Nor is libcrypto (the issue cache's SHA-256; typeset/digest.c): 1 ms of every
# start, before main, where its first use comes in a thread of its own.
soname = $(shell objdump -p "$$(pkg-config --variable=libdir $(1) 2>/dev/null)/$(2)" 2>/dev/null | awk '/SONAME/ {print $$2}')
QPDF_SONAME := $(call soname,libqpdf,libqpdf.so)
RSVG_SONAME := $(call soname,librsvg-2.0,librsvg-2.so)
CRYPTO_SONAME := $(call soname,libcrypto,libcrypto.so)
PKG_LIBS = $(shell pkg-config --libs $(filter-out libqpdf librsvg-2.0 libcrypto,$(PKGS)) 2>/dev/null) -lcmark-gfm-extensions -lcmark-gfm -lhyphen -lm -lpthread
QPDF_LIBS = $(shell pkg-config --libs libqpdf 2>/dev/null)
CFLAGS_ALL = $(CFLAGS_BASE) $(PKG_CFLAGS) $(CFLAGS)

# B is the build directory: `make B=build/asan OPT="-O1 -g" CFLAGS="-fsanitize=…"`
# builds a separate tree whose objects never mix with build/'s.
B ?= build
LAYOUT_SRC := $(wildcard layout/*.c)
FONTS_SRC := $(wildcard fonts/*.c)
TS_SRC := $(filter-out typeset/main.c,$(wildcard typeset/*.c))
LIB_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(LAYOUT_SRC) $(FONTS_SRC) $(TS_SRC))
MAIN_OBJ := $(B)/obj/typeset/main.o
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))

# Debian packages the project needs: libraries, fonts, dictionaries, test tools.
DEB_PKGS := build-essential pkg-config libcairo2-dev libpango1.0-dev libharfbuzz-dev \
  zlib1g-dev libdeflate-dev libssl-dev libxxhash-dev libyaml-dev librsvg2-dev libcmark-gfm-dev libcmark-gfm-extensions-dev libhyphen-dev hyphen-en-us \
  hyphen-ru libqpdf-dev fonts-paratype fonts-noto-cjk poppler-utils qpdf ghostscript python3

.PHONY: all deps demo test unit e2e install clean bench bench-quality
all: deps $(B)/typeset

# Installs only what is missing; needs root (or sudo) the first time.
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null \
	    || { echo "make deps: apt-get failed"; exit 1; }; \
	fi

$(B)/obj/%.o: %.c $(wildcard layout/*.h typeset/*.h fonts/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(B)/libtypeset.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# --build-id: the issue cache knows the program by it (issuebuild.c)
$(B)/typeset: $(MAIN_OBJ) $(B)/libtypeset.a
	$(CC) $(CFLAGS_ALL) -Wl,--build-id=sha1 -o $@ $^ $(PKG_LIBS)

$(B)/tests/%: tests/unit/%.c tests/unit/check.h tests/unit/minipdf.h tests/unit/layinput.h tests/unit/runcmd.h $(B)/libtypeset.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(B)/libtypeset.a $(PKG_LIBS) $(QPDF_LIBS)

SAMPLES := $(wildcard samples/*.md)
demo: all
	@mkdir -p $(B)/samples
	@for s in $(SAMPLES); do \
	  out=$(B)/samples/$$(basename $$s .md).pdf; \
	  ./$(B)/typeset build $$s -o $$out || exit 1; \
	  echo "rendered $$out"; \
	done
	@echo "samples are in $(B)/samples/"

unit: deps $(UNIT_BIN)

test: all unit
	@sh tests/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/typeset/styles $(DESTDIR)$(PREFIX)/share/typeset/fonts
	install -m 755 $(B)/typeset $(DESTDIR)$(PREFIX)/bin/typeset
	install -m 644 styles/*.yaml $(DESTDIR)$(PREFIX)/share/typeset/styles/
	install -m 644 fonts/fonts.conf $(DESTDIR)$(PREFIX)/share/typeset/fonts/

clean:
	rm -rf $(B)

# ---- reliability: sanitizers, valgrind ------------------------------------------
# `make test-asan`: the whole suite (unit tests, samples, bad inputs, e2e) with
# AddressSanitizer + UBSan, built in build/asan/ (its own obj/, never mixed with
# build/obj/; ignored by git like build/), then a precise leak pass over every
# sample.  The suite unwinds malloc stacks with frame pointers (fast) and so
# suppresses leaks by library (tests/sanitizers/lsan-fast.supp); the precise
# pass unwinds with DWARF (3x slower) and suppresses only the three named
# library-internal leaks of tests/sanitizers/lsan.supp, where each is explained.
# Built with clang (installed by `make fuzz-deps`, which this target runs): GCC
# 12's UBSan runtime ignores log_path next to ASan and reports on stderr only,
# where a test that expects a failure would swallow it.  Reports go to
# build/asan/san/ (one file per process); any file there fails the target, as
# does a report's exit status (86 ASan/LSan, 87 UBSan).  A change of compiler or
# flags empties build/asan/ first (the object rules do not see flags).
SAN_B := build/asan
SAN_CC := clang
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -DTS_FREE_AT_EXIT
SAN_DIR = $(CURDIR)/$(SAN_B)/san
SAN_ENV = ASAN_OPTIONS=detect_leaks=1:exitcode=86:log_path=$(SAN_DIR)/asan \
  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizers/lsan-fast.supp:print_suppressions=0 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=87:log_path=$(SAN_DIR)/ubsan
SAN_ENV_PRECISE = ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:exitcode=86:log_path=$(SAN_DIR)/asan \
  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizers/lsan.supp:print_suppressions=0 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=87:log_path=$(SAN_DIR)/ubsan
.PHONY: test-asan asan-build test-valgrind
asan-build: fuzz-deps
	@mkdir -p $(SAN_B); echo "$(SAN_CC) $(SAN_FLAGS)" | cmp -s - $(SAN_B)/.flags || \
	  { rm -rf $(SAN_B)/obj $(SAN_B)/tests $(SAN_B)/libtypeset.a; echo "$(SAN_CC) $(SAN_FLAGS)" >$(SAN_B)/.flags; }
	@$(MAKE) --no-print-directory B=$(SAN_B) CC=$(SAN_CC) OPT="-O1 -g" CFLAGS="$(SAN_FLAGS)" \
	  $(SAN_B)/typeset $(patsubst tests/unit/%.c,$(SAN_B)/tests/%,$(UNIT_SRC))

test-asan: asan-build
	@rm -rf $(SAN_DIR) && mkdir -p $(SAN_DIR)
	@$(SAN_ENV) TS=./$(SAN_B)/typeset UNIT_DIR=$(SAN_B)/tests TEST_OUT=$(SAN_B)/test \
	  BAD_ULIMIT_V= BAD_TIMEOUT=300 sh tests/run.sh; rc=$$?; \
	for s in $(SAMPLES); do \
	  $(SAN_ENV_PRECISE) SOURCE_DATE_EPOCH=1700000000 ./$(SAN_B)/typeset build $$s \
	    -o $(SAN_B)/test/precise.pdf 2>/dev/null \
	    && echo "ok   asan precise leak check $$s" || { echo "FAIL asan precise leak check $$s"; rc=1; }; \
	done; \
	if ls $(SAN_DIR) | grep -q .; then \
	  echo "test-asan: sanitizer reports in $(SAN_B)/san/:"; head -n 40 $(SAN_DIR)/*; rc=1; \
	fi; exit $$rc

# `make test-valgrind`: every sample through memcheck (the normal -O2 -g build),
# then the sample issue at -j 2 with TYPESET_FREE_AT_EXIT=1 (the issue command
# otherwise leaves its build to the kernel, and blocks that only Pango's
# fontset caches point into would show as lost): no errors, no definite leaks.
# Suppressions: tests/sanitizers/valgrind.supp.
VG := valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite --num-callers=40 \
  --show-leak-kinds=definite --suppressions=tests/sanitizers/valgrind.supp
test-valgrind: all
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(DEB_PKGS) valgrind"
	@mkdir -p $(B)/valgrind; fail=0; \
	for s in $(SAMPLES); do \
	  n=$$(basename $$s .md); \
	  if SOURCE_DATE_EPOCH=1700000000 $(VG) --log-file=$(B)/valgrind/$$n.log \
	       ./$(B)/typeset build $$s -o $(B)/valgrind/$$n.pdf 2>/dev/null; then echo "ok   valgrind $$n"; \
	  else echo "FAIL valgrind $$n:"; head -n 40 $(B)/valgrind/$$n.log; fail=1; fi; \
	done; \
	rm -rf $(B)/valgrind/issue; \
	if SOURCE_DATE_EPOCH=1700000000 TYPESET_FREE_AT_EXIT=1 $(VG) --log-file=$(B)/valgrind/issue.log \
	     ./$(B)/typeset issue samples/issue.yaml -o $(B)/valgrind/issue -j 2 -q 2>/dev/null; then \
	  echo "ok   valgrind issue -j 2 (freeing at exit)"; \
	else echo "FAIL valgrind issue:"; head -n 40 $(B)/valgrind/issue.log; fail=1; fi; exit $$fail

# ---- fuzzing (libFuzzer, clang) ---------------------------------------------------
# `make fuzz FUZZ_SECONDS=N` runs each harness in tests/fuzz/ for N seconds on a
# working copy of its committed corpus (build/fuzz/corpus/<h>/, so new inputs
# never land in the tree); crashes are written to build/fuzz/crash-<h>-*.
# `make fuzz-replay` runs every harness once over its committed corpus
# (-runs=0): what CI does.  Both need clang and its runtimes, which
# `make fuzz-deps` installs (make deps with the extra packages); `make test`
# does not need clang.  The library is rebuilt with clang in build/fuzz/ with
# -fsanitize=fuzzer-no-link so the fuzzer sees coverage of our code.
FUZZ_B := build/fuzz
FUZZ_CC := clang
FUZZ_DEB_PKGS := clang libclang-rt-14-dev
# FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION: the convention (libFuzzer, OSS-Fuzz)
# under which a reader skips checks no fuzzer gets past (paraio.c's checksum)
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
  -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
FUZZ_HARNESSES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(patsubst %,$(FUZZ_B)/fuzz_%,$(FUZZ_HARNESSES))
FUZZ_SECONDS ?= 60
FUZZ_ENV = ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizers/lsan-fast.supp:print_suppressions=0 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# per-input limits: a slow or huge input is a finding too (a DoS in production)
FUZZ_OPTS := -timeout=30 -rss_limit_mb=2560 -max_len=65536
.PHONY: fuzz fuzz-build fuzz-bins fuzz-replay fuzz-deps
fuzz-deps:
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(DEB_PKGS) $(FUZZ_DEB_PKGS)"

fuzz-build: fuzz-deps
	@mkdir -p $(FUZZ_B); echo "$(FUZZ_CC) $(FUZZ_SAN)" | cmp -s - $(FUZZ_B)/.flags || \
	  { rm -rf $(FUZZ_B)/obj $(FUZZ_B)/libtypeset.a; echo "$(FUZZ_CC) $(FUZZ_SAN)" >$(FUZZ_B)/.flags; }
	@$(MAKE) --no-print-directory B=$(FUZZ_B) CC=$(FUZZ_CC) OPT="-O1 -g" \
	  CFLAGS="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" $(FUZZ_B)/libtypeset.a fuzz-bins

fuzz-bins: $(FUZZ_BINS)
$(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_B)/libtypeset.a
	$(FUZZ_CC) $(CFLAGS_ALL) -fsanitize=fuzzer -o $@ $< $(FUZZ_B)/libtypeset.a $(PKG_LIBS)

fuzz: fuzz-build
	@for h in $(FUZZ_HARNESSES); do \
	  mkdir -p $(FUZZ_B)/corpus/$$h; cp -n tests/fuzz/corpus/$$h/* $(FUZZ_B)/corpus/$$h/ 2>/dev/null; \
	  echo "fuzz $$h for $(FUZZ_SECONDS) s"; \
	  $(FUZZ_ENV) ./$(FUZZ_B)/fuzz_$$h $(FUZZ_OPTS) -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_B)/crash-$$h- $(FUZZ_B)/corpus/$$h tests/fuzz/corpus/$$h \
	    >$(FUZZ_B)/$$h.log 2>&1 || { echo "fuzz $$h: FOUND A PROBLEM, see $(FUZZ_B)/$$h.log"; tail -n 30 $(FUZZ_B)/$$h.log; exit 1; }; \
	  grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' $(FUZZ_B)/$$h.log | tail -n 2; \
	done

fuzz-replay: fuzz-build
	@for h in $(FUZZ_HARNESSES); do \
	  $(FUZZ_ENV) ./$(FUZZ_B)/fuzz_$$h $(FUZZ_OPTS) -runs=0 -artifact_prefix=$(FUZZ_B)/replay-crash-$$h- tests/fuzz/corpus/$$h >$(FUZZ_B)/$$h-replay.log 2>&1 \
	    && echo "ok   fuzz replay $$h ($$(ls tests/fuzz/corpus/$$h | wc -l) inputs)" \
	    || { echo "FAIL fuzz replay $$h, see $(FUZZ_B)/$$h-replay.log"; tail -n 30 $(FUZZ_B)/$$h-replay.log; exit 1; }; \
	done

# ---- speed ---------------------------------------------------------------------------
# `make bench`: the -O2 build, the benchmark corpus (../shared/bench/gen.py into
# build/bench/corpus; skipped with a message when ../shared is absent), then
# every executable tests/bench/*.sh, core.sh first (single-article time, ms per
# page for the issue, peak RSS, Typst/XeLaTeX/LuaLaTeX ratios when installed:
# `make bench-peers`).  Prints
# figures; never fails on them.  GNU time comes with `make bench-deps`.
BENCH_DEB_PKGS := time
.PHONY: bench-deps
bench-deps:
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(DEB_PKGS) $(BENCH_DEB_PKGS)"

# `make bench-peers`: installs the peers the issue compares with, so that
# `make bench` runs them side by side on the same corpus: Typst 0.10 from the
# npm package ../shared/bench/package-lock.json pins (into build/bench/peers/),
# XeLaTeX and LuaLaTeX from Debian (TeX Live 2022, about 250 MB).  Never run by
# `make bench` or `make test`.
PEER_DEB_PKGS := texlive-xetex texlive-luatex texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended \
  texlive-lang-cjk texlive-lang-chinese texlive-lang-japanese texlive-lang-cyrillic
.PHONY: bench-peers
bench-peers: bench-deps
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(DEB_PKGS) $(PEER_DEB_PKGS)"
	@if ! command -v npm >/dev/null; then echo "bench-peers: no npm (Node.js), Typst skipped"; \
	elif [ ! -f ../shared/bench/package-lock.json ]; then echo "bench-peers: ../shared/bench not found, Typst skipped"; \
	else mkdir -p build/bench/peers && cp ../shared/bench/package.json ../shared/bench/package-lock.json build/bench/peers/ && \
	  (cd build/bench/peers && npm ci --no-audit --no-fund >/dev/null) && echo "bench-peers: Typst in build/bench/peers/node_modules"; fi

bench: bench-deps build/typeset
	@if [ "$(B)" != build ]; then echo "bench: B=$(B) ignored, the scripts use build/typeset"; fi
	@if [ -f ../shared/bench/gen.py ]; then \
	  [ -d build/bench/corpus/src ] || python3 ../shared/bench/gen.py -o build/bench/corpus >/dev/null; \
	else echo "bench: ../shared/bench not found: no corpus, the corpus benchmarks skip"; fi
	@for s in tests/bench/core.sh $$(ls tests/bench/*.sh | grep -v '/core\.sh$$'); do \
	  [ -x $$s ] || continue; echo "== $$s"; TS=./build/typeset $$s || echo "bench: $$s exited $$?"; \
	done

# `make fuzz-replay-cc`: the same replay without clang or libFuzzer, for a
# machine that cannot install them: each harness linked with
# tests/fuzz/replay.c (a main() that feeds it files) and the default compiler's
# ASan + UBSan, in build/replay/.  UBSan reports go to stderr with GCC, so a
# report also fails through UBSAN_OPTIONS's exit code.
REPLAY_B := build/replay
# GCC 12 at -O1 with the sanitizers warns about a null format in arena_printf's
# vsnprintf(NULL, 0, …) sizing call, which is valid.
REPLAY_FLAGS := $(SAN_FLAGS) -Wno-format-truncation -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
.PHONY: fuzz-replay-cc
fuzz-replay-cc: deps
	@mkdir -p $(REPLAY_B); echo "$(CC) $(REPLAY_FLAGS)" | cmp -s - $(REPLAY_B)/.flags || \
	  { rm -rf $(REPLAY_B)/obj $(REPLAY_B)/libtypeset.a; echo "$(CC) $(REPLAY_FLAGS)" >$(REPLAY_B)/.flags; }
	@$(MAKE) --no-print-directory B=$(REPLAY_B) OPT="-O1 -g" CFLAGS="$(REPLAY_FLAGS)" $(REPLAY_B)/libtypeset.a
	@for h in $(FUZZ_HARNESSES); do \
	  $(CC) $(CFLAGS_BASE) $(PKG_CFLAGS) -O1 -g $(REPLAY_FLAGS) -o $(REPLAY_B)/replay_$$h tests/fuzz/fuzz_$$h.c \
	    tests/fuzz/replay.c $(REPLAY_B)/libtypeset.a $(PKG_LIBS) || exit 1; \
	  $(FUZZ_ENV) UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=87 \
	    ./$(REPLAY_B)/replay_$$h tests/fuzz/corpus/$$h >$(REPLAY_B)/$$h.log 2>&1 \
	    && echo "ok   fuzz replay (no libFuzzer) $$h" \
	    || { echo "FAIL fuzz replay (no libFuzzer) $$h, see $(REPLAY_B)/$$h.log"; tail -n 30 $(REPLAY_B)/$$h.log; exit 1; }; \
	done

# Line quality of the benchmark corpus and the samples against the peers'
# figures (../shared/bench/linequality.py): a benchmark, it never fails.
bench-quality: deps build/typeset
	@TS=./build/typeset sh tests/bench/quality.sh
