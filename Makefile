# typeset — build, set-up, demo and tests.  `make demo` and `make test` are the
# two commands a fresh Debian 12 machine needs (both run `make deps` first).

PREFIX ?= /usr/local
CC ?= cc
PKGS := pangocairo pangoft2 harfbuzz fontconfig cairo-pdf cairo-png yaml-0.1 libcmark-gfm libqpdf
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.1.0)
OPT ?= -O2 -g
CFLAGS_BASE = -std=c17 -Wall -Wextra -Werror -D_GNU_SOURCE $(OPT) -DTS_VERSION='"$(VERSION)"'
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcmark-gfm-extensions -lcmark-gfm -lhyphen -lm -lpthread
CFLAGS_ALL = $(CFLAGS_BASE) $(PKG_CFLAGS) $(CFLAGS)

# B is the build directory: `make B=build-asan OPT="-O1 -g" CFLAGS="-fsanitize=…"`
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
  libyaml-dev libcmark-gfm-dev libcmark-gfm-extensions-dev libhyphen-dev hyphen-en-us \
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

$(B)/typeset: $(MAIN_OBJ) $(B)/libtypeset.a
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(B)/tests/%: tests/unit/%.c tests/unit/check.h $(B)/libtypeset.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(B)/libtypeset.a $(PKG_LIBS)

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
