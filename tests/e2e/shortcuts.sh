# tests/e2e/shortcuts.sh — the layout engine's own ways to what Pango gives:
# layout/itemize.c (items), layout/hbshape.c (words shaped by HarfBuzz
# directly) and layout/uax14.c (line break opportunities, also
# tests/unit/test_uax14.c).  TYPESET_CHECK_ITEMIZE=1 makes the engine
# compare every paragraph's items with pango_itemize's, and
# TYPESET_CHECK_SHAPE=1 every word's glyphs with pango_shape_with_flags's,
# and abort on a difference: every sample, block test and bad input (and the
# benchmark corpus, when generated) is built so.  Then the samples are built
# with Pango doing all three (TYPESET_PANGO_ITEMIZE=1 TYPESET_PANGO_SHAPE=1
# TYPESET_PANGO_BREAKS=1): the PDFs must be byte-identical.
# Sourced by tests/run.sh (ok, bad, check, has, $TS, $OUT).

SC=$OUT/shortcuts
mkdir -p "$SC"
n=0 failed=""
for f in samples/*.md tests/blocks/*.md tests/bad/*.md build/bench/corpus/src/*.md; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    TYPESET_CHECK_ITEMIZE=1 TYPESET_CHECK_SHAPE=1 timeout 60 $TS build "$f" -o "$SC/check.pdf" >/dev/null 2>"$SC/check.err"
    st=$?
    # a bad input fails with status 1; an abort (134) or a crash is the check failing
    [ $st -gt 1 ] && failed="$failed $f"
done
if [ -z "$failed" ]; then ok "shortcuts: $n sources itemized and shaped as Pango does"; else bad "shortcuts: items or glyphs differ from Pango's in$failed"; fi
for src in samples/*.md; do
    s=$(basename "$src" .md)
    if $TS build "$src" -o "$SC/$s.pdf" 2>/dev/null &&
        TYPESET_PANGO_ITEMIZE=1 TYPESET_PANGO_SHAPE=1 TYPESET_PANGO_BREAKS=1 $TS build "$src" -o "$SC/$s-pango.pdf" 2>/dev/null; then
        check "shortcuts: $s is byte-identical with Pango's items, glyphs and breaks" cmp -s "$SC/$s.pdf" "$SC/$s-pango.pdf"
    else
        bad "shortcuts: build $s both ways"
    fi
done
