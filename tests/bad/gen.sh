#!/bin/sh
# gen.sh DIR — writes the bad inputs that are too big (or too silly) to commit
# into DIR.  Each is named in EXPECT as GEN:NAME; the runner checks
# `typeset check DIR/NAME` as for the committed cases.
#
# EXPECT format, one case a line, fields separated by one TAB:
#   FILENAME         a file in tests/bad/, checked as `typeset check tests/bad/FILENAME`
#   GEN:NAME         a file this script writes into DIR
#   STYLE:NAME       a style in tests/bad/styles/, checked as
#                    `typeset check samples/en-article.md --style tests/bad/styles/NAME`
#   ISSUE:NAME       an issue manifest in tests/bad/issues/, checked as
#                    `typeset issue tests/bad/issues/NAME -o OUT/bad-issue`
# then the expected exit status (0: warnings only, 1: errors, any: 0 or 1 but
# no crash, no signal, no hang) and an extended regex (grep -E) that at least
# one line of stderr must match.  For `any` the regex is empty: stderr is not
# checked.
#
# Everything here is deterministic (the "random" bytes come from a fixed-seed
# generator), so a failure can be reproduced byte for byte.
set -eu
dir=${1:?usage: gen.sh DIR}
mkdir -p "$dir"
fm='---
title: "A generated stress case"
---
'

# 10 MB of ordinary words in one paragraph on one line.
{
    printf '%s\n' "$fm"
    yes 'The committee deliberated at length, and the delegates, weary of procedure, adjourned once more.' \
        | head -c 10485760 | tr '\n' ' '
    printf '\n'
} >"$dir/gen-10mb-paragraph.md"

# Block quotes nested 10,000 deep on one line (body line 5).
{
    printf '%s\n' "$fm"
    i=0
    while [ $i -lt 10000 ]; do printf '> '; i=$((i + 1)); done
    printf 'deep\n'
} >"$dir/gen-deep-quote.md"

# Bullet lists nested 10,000 deep on one line ("- - - deep": the trailing word
# keeps it from being a thematic break).
{
    printf '%s\n' "$fm"
    i=0
    while [ $i -lt 10000 ]; do printf -- '- '; i=$((i + 1)); done
    printf 'deep\n'
} >"$dir/gen-deep-list.md"

# A YAML flow sequence nested 10,000 deep in the front matter (line 3).
{
    printf -- '---\ntitle: "Deep YAML"\nkeywords: '
    i=0
    while [ $i -lt 10000 ]; do printf '['; i=$((i + 1)); done
    i=0
    while [ $i -lt 10000 ]; do printf ']'; i=$((i + 1)); done
    printf '\n---\n\nBody.\n'
} >"$dir/gen-deep-yaml.md"

# "Billion laughs": nine levels of nine aliases each (first alias at 4:8).
{
    printf -- '---\ntitle: "Billion laughs"\n'
    printf 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    prev=a
    for l in b c d e f g h i; do
        printf '%s: &%s [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n' \
            $l $l $prev $prev $prev $prev $prev $prev $prev $prev $prev
        prev=$l
    done
    printf -- '---\n\nBody.\n'
} >"$dir/gen-alias-bomb.md"

# 1 MiB of pseudo-random bytes from a fixed seed.
LC_ALL=C awk 'BEGIN {
    srand(20220630)
    for (i = 0; i < 1048576; i++) printf "%c", int(rand() * 256)
}' >"$dir/gen-random-binary.md"

# ---- limits (tests/e2e/reliability.sh's author: one case per limit) ----------
# The whole file over SRC_MAX_BYTES (16 MiB): refused before parsing.
{
    printf '%s\n' "$fm"
    yes 'Seventeen megabytes of one sentence, repeated to make the file too large.' \
        | head -c 17825792
} >"$dir/gen-17mb.md"

# A front-matter block over SRC_MAX_FRONT_BYTES (1 MiB) in a small file.
{
    printf -- '---\ntitle: "Huge front matter"\nabstract: >-\n'
    yes '  A line of an abstract that goes on and on, far past any real front matter.' \
        | head -n 15000
    printf -- '---\n\nBody.\n'
} >"$dir/gen-2mb-front-matter.md"

# One paragraph just over LAY_MAX_PARA_BYTES (512 KiB), the only limit the
# 10 MB case above also hits.
{
    printf '%s\n' "$fm"
    yes 'Words in one long paragraph, a little over half a megabyte of them in all.' \
        | head -c 600000 | tr '\n' ' '
    printf '\n'
} >"$dir/gen-600k-paragraph.md"

# A pipe table of 3,000 columns over 100 one-cell rows: 300,000 cells after
# cmark-gfm pads each row, over MD_MAX_TABLE_CELLS (200,000).  Body line 5.
{
    printf '%s\n' "$fm"
    i=0; while [ $i -lt 3000 ]; do printf '|h'; i=$((i + 1)); done; printf '|\n'
    i=0; while [ $i -lt 3000 ]; do printf '|-'; i=$((i + 1)); done; printf '|\n'
    i=0; while [ $i -lt 100 ]; do printf '|x|\n'; i=$((i + 1)); done
} >"$dir/gen-wide-table.md"

# Over LAY_MAX_PAGES (5,000): three code blocks of 100,000 one-letter lines
# (each block under the paragraph limit) make about 5,900 pages.
{
    printf '%s\n' "$fm"
    for b in 1 2 3; do printf '```\n'; yes x | head -n 100000; printf '```\n\n'; done
} >"$dir/gen-5001-pages.md"
