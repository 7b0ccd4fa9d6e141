# tests/e2e/painter.sh — typeset's own PDF writer (typeset/pdfpaint.c)
# against Cairo's, on every sample and on print options: the same pages,
# text, structure and look (tests/pdfcompare.py), while the file is our own.
# TYPESET_PAINTER=cairo makes typeset paint with Cairo.
# Sourced by tests/run.sh (ok, bad, check, has, $TS, $OUT).

PD=$OUT/painter
mkdir -p "$PD"
for src in samples/*.md; do
    n=$(basename "$src" .md)
    if $TS build "$src" -o "$PD/$n.pdf" 2>/dev/null &&
        TYPESET_PAINTER=cairo $TS build "$src" -o "$PD/$n-cairo.pdf" 2>/dev/null; then
        check "painter: $n is written by typeset's own writer" sh -c "pdfinfo '$PD/$n.pdf' | grep -q '^Producer: *typeset [0-9.]*\$'"
        check "painter: $n matches Cairo's (text, structure, look)" \
            python3 tests/pdfcompare.py "$PD/$n.pdf" "$PD/$n-cairo.pdf" "$PD/$n-pages"
        check "painter: $n tagged, all it draws marked as structure or artifact" sh -c "pdfinfo '$PD/$n.pdf' | grep -q '^Tagged: *yes' && python3 tests/pdfmarked.py '$PD/$n.pdf'"
    else
        bad "painter: build $n both ways"
    fi
done
if $TS build samples/en-article.md --bleed 3 --marks -o "$PD/bleed.pdf" 2>/dev/null &&
    TYPESET_PAINTER=cairo $TS build samples/en-article.md --bleed 3 --marks -o "$PD/bleed-cairo.pdf" 2>/dev/null; then
    check "painter: bleed and crop marks match Cairo's" python3 tests/pdfcompare.py "$PD/bleed.pdf" "$PD/bleed-cairo.pdf" "$PD/bleed-pages"
    check "painter: crop marks are artifacts" python3 tests/pdfmarked.py "$PD/bleed.pdf"
    # what the post-pass adds to Cairo's output, our writer writes itself, in
    # one xref section: the page boxes, /Lang, the title shown, a /ID that
    # depends on the content only
    check "painter: boxes, /Lang, /ViewerPreferences and /ID written directly, no update section" python3 -c "
import re, subprocess, sys
pdf = open('$PD/bleed.pdf', 'rb').read()
cairo = open('$PD/bleed-cairo.pdf', 'rb').read()
if pdf.count(b'startxref') != 1 or cairo.count(b'startxref') != 2:
    sys.exit('sections: ours %d, cairo+post-pass %d' % (pdf.count(b'startxref'), cairo.count(b'startxref')))
for key in (rb'/TrimBox \[', rb'/BleedBox \[', rb'/Lang \(en\)', rb'/DisplayDocTitle true', rb'/ID \[<[0-9a-f]{32}><[0-9a-f]{32}>\]'):
    if not re.search(key, pdf):
        sys.exit('missing ' + key.decode())
boxes = lambda f: [l for l in subprocess.run(['pdfinfo', '-box', f], capture_output=True, text=True).stdout.splitlines() if 'Box:' in l]
if boxes('$PD/bleed.pdf') != boxes('$PD/bleed-cairo.pdf'):
    sys.exit('page boxes differ from the post-pass')
"
    check "painter: the same input gives the same /ID" sh -c "$TS build samples/en-article.md --bleed 3 --marks -o '$PD/bleed2.pdf' 2>/dev/null && cmp -s '$PD/bleed.pdf' '$PD/bleed2.pdf'"
else
    bad "painter: build with --bleed 3 --marks both ways"
fi
# a tab in running text is a word space: no hex box, and nothing the writer
# declines (it had left such a document to Cairo, which drew Pango's box)
printf -- '---\ntitle: Tab\n---\n\nA tab\there, and more words.\n' >"$PD/tab.md"
if $TS build "$PD/tab.md" -o "$PD/tab.pdf" 2>/dev/null; then
    check "painter: a tab in running text is a word space, painted by our writer" sh -c "pdftotext '$PD/tab.pdf' - | grep -q 'A tab here, and more words' && qpdf --qdf --object-streams=disable '$PD/tab.pdf' - | grep -aq '/F0 ' && python3 tests/pdfmarked.py '$PD/tab.pdf'"
else
    bad "painter: build a paragraph with a tab"
fi
