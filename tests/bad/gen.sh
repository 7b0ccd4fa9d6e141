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
