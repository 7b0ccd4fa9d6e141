# tests/e2e/pages.sh — the page builder and figures end to end: widows and
# orphans avoided, headings kept with their text, footnotes on the page of
# their mark, a long table repeating its header, figures in three formats.
# Sourced by tests/run.sh (ok, bad, check, has, $TS, $OUT).

PG=$OUT/pages
mkdir -p "$PG"
python3 tests/pages/gen.py "$PG"
for f in "$PG"/flow-*.md "$PG"/notes-*.md; do
    n=$(basename "$f" .md)
    if ! $TS build "$f" -o "$PG/$n.pdf" --report "$PG/$n.json" 2>"$PG/$n.err"; then
        bad "pages: $n does not build: $(head -n 1 "$PG/$n.err")"
        continue
    fi
    check "pages: no widow or orphan in $n" python3 tests/pages/check.py widows "$PG/$n.json"
    case $n in
        flow-*) check "pages: headings keep two lines with them in $n" python3 tests/pages/check.py headings "$PG/$n.pdf" ;;
        notes-*) check "pages: every footnote on the page of its mark in $n" python3 tests/pages/check.py notes "$PG/$n.pdf" ;;
    esac
done
# a footnote too long for its page continues on the next one
python3 -c "
import random
r = random.Random(7)
w = 'treaty state obligation sanction measure court practice consent custom'.split()
sent = lambda: ' '.join(r.choice(w) for _ in range(14)).capitalize() + '.'
body = [' '.join(sent() for _ in range(6)) for _ in range(7)]
body[5] += '[^1]'
note = 'Note 1. ' + ' '.join(sent() for _ in range(60)) + ' The end of the long note.'
open('$PG/longnote.md', 'w').write('---\ntitle: A long note\nlang: en\n---\n' + '\n\n'.join(body) + '\n\n[^1]: ' + note + '\n')
"
if $TS build "$PG/longnote.md" -o "$PG/longnote.pdf" 2>/dev/null; then
    check "pages: a long footnote starts on its mark's page and continues on the next" python3 -c "
import subprocess
pages = [subprocess.run(['pdftotext', '-f', str(p), '-l', str(p), '$PG/longnote.pdf', '-'], capture_output=True, text=True).stdout.replace('\n', ' ') for p in range(1, 6)]
start = [i for i, t in enumerate(pages) if 'Note 1.' in t]
end = [i for i, t in enumerate(pages) if 'The end of the long note' in t]
assert start and end and end[0] == start[0] + 1, (start, end)"
    check "pages: the long note's mark is on the page where the note starts" python3 tests/pages/check.py notes "$PG/longnote.pdf"
else
    bad "pages: the long-note article does not build"
fi
for s in en-article ru-article zh-article; do
    check "pages: no widow or orphan in sample $s" python3 tests/pages/check.py widows "$OUT/$s.report.json"
done

T=$PG/long-table.pdf
if $TS build tests/pages/long-table.md -o "$T" 2>/dev/null; then
    n=$(pdfinfo "$T" | awk '/^Pages/ {print $2}')
    heads=0
    for p in $(seq 1 "$n"); do
        pdftotext -f "$p" -l "$p" -layout "$T" - | grep -q '^ *No\. *Instrument *Year *Status' && heads=$((heads + 1))
    done
    if [ "$n" -ge 3 ] && [ "$heads" -eq "$n" ]; then ok "pages: a $n-page table repeats its header on every page"
    else bad "pages: table over $n pages shows its header on $heads pages"; fi
    conts=0
    for p in $(seq 2 "$n"); do
        pdftotext -f "$p" -l "$p" "$T" - | grep -qx 'Table 1 (continued)' && conts=$((conts + 1))
    done
    if [ "$conts" -eq $((n - 1)) ] && ! pdftotext -f 1 -l 1 "$T" - | grep -q 'continued'; then
        ok "pages: 'Table 1 (continued)' (labels.continued) heads each of the $((n - 1)) continuation pages"
    else bad "pages: the continued label is on $conts of the $((n - 1)) continuation pages (or on page 1)"; fi
    check "pages: table rows are never split (row 60 is whole)" sh -c "pdftotext -layout '$T' - | grep -q '60 *Treaty instrument number 60 *2010 *signed, not ratified'"
    check "pages: table caption numbered" has "$T" "Table 1. Multilateral instruments by year of signature"
else
    bad "pages: long table does not build"
fi

F=$PG/figures.pdf
if $TS build tests/figures/figures.md -o "$F" 2>/dev/null; then
    check "figures: PNG embedded losslessly" sh -c "pdfimages -list '$F' | awk 'NR>2 && \$2==1' | grep -q ' image '"
    check "figures: JPEG passed through (DCT)" sh -c "pdfimages -list '$F' | grep -q ' jpeg '"
    check "figures: JPEG bytes identical in the PDF" sh -c "rm -f '$PG'/img-* && pdfimages -j '$F' '$PG/img' && cmp -s '$PG/img-001.jpg' tests/figures/photo.jpg"
    check "figures: numbered captions" sh -c "pdftotext '$F' - | grep -q 'Figure 3. Three boxes joined by arrows'"
    check "figures: a figure that does not fit floats to the next page top; the table after it fills the gap" sh -c "pdftotext -f 1 -l 1 '$F' - | grep -q '^Table 1\.' && ! pdftotext -f 1 -l 1 '$F' - | grep -q '^Figure 3\.' && pdftotext -f 2 -l 2 '$F' - | head -n 3 | grep -q '^Figure 3\.'"
    check "figures: tagged as Figure" sh -c "qpdf --qdf --object-streams=disable '$F' - 2>/dev/null | grep -a -q '/S /Figure'"
else
    bad "figures: test article does not build"
fi
printf -- '---\ntitle: T\n---\nText.\n\n![Missing](no-such-image.png)\n' > "$PG/missing-image.md"
check "figures: a missing image is an error at its line" sh -c "! $TS build '$PG/missing-image.md' -o '$PG/mi.pdf' 2>'$PG/mi.err' && grep -q 'missing-image.md:6:1: error: cannot read image' '$PG/mi.err' && test ! -e '$PG/mi.pdf'"
printf 'GIF89a not an image at all' > "$PG/fake.png"
printf -- '---\ntitle: T\n---\n![Fake](fake.png)\n' > "$PG/fake-image.md"
check "figures: a file that is not an image is an error" sh -c "! $TS build '$PG/fake-image.md' -o '$PG/fk.pdf' 2>'$PG/fk.err' && grep -q 'fake-image.md:4:1: error: image .*not' '$PG/fk.err'"
check "figures: that error is one line (librsvg's message ends in a newline)" sh -c "test \$(wc -l < '$PG/fk.err') -eq 1"

# running heads and folios: a head too wide for the measure is cut at a word
# and ends in an ellipsis, with one warning at the line its text comes from;
# the folio template and the furniture's alignment are the style's
python3 -c "
names = ['Alexandra Konstantinovna Rozhdestvenskaya', 'Maximilian Friedrich von Hohenzollern-Sigmaringen',
         'Bartholomew Featherstonehaugh-Cholmondeley', 'Svetlana Vladimirovna Nepomnyashchikh',
         'Jean-Baptiste Marie de La Rochefoucauld']
para = ' '.join(['Lorem ipsum dolor sit amet, consectetur adipiscing elit.'] * 30)
open('$PG/runhead.md', 'w').write('---\\ntitle: Running heads with five authors\\nlang: en\\nauthors:\\n'
    + ''.join('  - name: \\\"%s\\\"\\n' % n for n in names) + '---\\n' + '\\n\\n'.join([para] * 12) + '\\n')
"
if $TS build "$PG/runhead.md" -o "$PG/runhead.pdf" 2>"$PG/runhead.err"; then
    check "furniture: a long running head is shortened to one line ending in an ellipsis, no dangling comma" sh -c "
        h=\$(pdftotext -f 2 -l 2 '$PG/runhead.pdf' - | grep -m 1 'Rozhdestvenskaya')
        case \$h in *Hohenzollern*…) ;; *) exit 1 ;; esac
        case \$h in *,…|*', …') exit 1 ;; esac
        ! pdftotext -f 2 -l 2 '$PG/runhead.pdf' - | grep -q '^Featherstonehaugh\\|^Nepomnyashchikh'"
    check "furniture: the shortened head is warned about once, at the first author's line" sh -c "
        test \$(grep -c 'running head' '$PG/runhead.err') -eq 1 &&
        grep -q 'runhead.md:5:1: warning: running head (verso) is too long for one line.*shortened to .*…' '$PG/runhead.err'"
else
    bad "furniture: the five-author article does not build: $(head -n 1 "$PG/runhead.err")"
fi
sed -e 's/^folio: .*/folio: "— Page {page} of {journal} —"/' \
    -e '/^  running_head:/s/align: center/align: right/' -e '/^  folio:/s/align: center/align: left/' \
    styles/rjwpln.yaml > "$PG/furniture.yaml"
if $TS build samples/en-article.md --style "$PG/furniture.yaml" -o "$PG/furniture.pdf" 2>/dev/null; then
    check "furniture: the folio template is filled in" sh -c "pdftotext -f 3 -l 3 '$PG/furniture.pdf' - | grep -qx '— Page 3 of Russian Journal of World Politics and Law of Nations —'"
    check "furniture: running heads flush right and folios flush left on verso and recto" python3 -c "
import re, subprocess
W, H, M = 481.89, 680.31, 56.69     # rjwpln: trim, every margin 20 mm
for page in (2, 3):
    t = subprocess.run(['pdftotext', '-f', str(page), '-l', str(page), '-bbox', '$PG/furniture.pdf', '-'],
                       capture_output=True, text=True).stdout
    ws = [tuple(map(float, m[:4])) for m in re.findall(r'xMin=\"([\d.]+)\" yMin=\"([\d.]+)\" xMax=\"([\d.]+)\" yMax=\"([\d.]+)\"', t)]
    head = [w for w in ws if w[3] < M]
    folio = [w for w in ws if w[1] > H - M]
    assert head and abs(max(w[2] for w in head) - (W - M)) < 4, (page, head)
    assert folio and abs(min(w[0] for w in folio) - M) < 2, (page, folio)"
else
    bad "furniture: en-article with a folio template and aligned furniture does not build"
fi

# two columns (a4-sans): the title spans the page, the body runs in two columns
TC=$PG/two-column.pdf
if $TS build samples/en-article.md --style a4-sans -o "$TC" 2>/dev/null; then
    check "two columns: body lines start at two x positions on page 2" python3 -c "
import re, subprocess, collections
t = subprocess.run(['pdftotext', '-f', '2', '-l', '2', '-bbox', '$TC', '-'], capture_output=True, text=True).stdout
xs = collections.Counter(round(float(m.group(1))) for m in re.finditer(r'<word xMin=\"([\d.]+)\"', t))
starts = [x for x, n in xs.most_common(2)]
assert len(starts) == 2 and abs(starts[0] - starts[1]) > 200, xs.most_common(4)"
    check "two columns: the title spans both columns" python3 -c "
import re, subprocess
t = subprocess.run(['pdftotext', '-f', '1', '-l', '1', '-bbox', '$TC', '-'], capture_output=True, text=True).stdout
ws = [(float(a), float(b), w) for a, b, w in re.findall(r'<word xMin=\"([\d.]+)\" yMin=\"[\d.]+\" xMax=\"([\d.]+)\" yMax=\"[\d.]+\">([^<]*)<', t)]
title = [w for w in ws if w[2] in ('Countermeasures,', 'Limits')]
assert title and max(w[1] for w in ws if w[2] == 'Limits') > 300, title"
else
    bad "two columns: the a4-sans build failed"
fi

# regressions found in review
RG=tests/pages/regress
check "pages: a table cell taller than a page loses no word" sh -c "$TS build $RG/cell-taller-than-page.md -o $PG/cell.pdf 2>/dev/null && test \$(pdftotext $PG/cell.pdf - | tr ' ' '\n' | grep -c '^w[0-9][0-9]*[a-z]*\$') -eq 1400 && pdftotext $PG/cell.pdf - | grep -q END_OF_CELL"
check "pages: a figure floated to the top of a page paints (Cairo tag nesting)" sh -c "$TS build $RG/float-at-page-top.md -o $PG/ftop.pdf 2>/dev/null && qpdf --check $PG/ftop.pdf >/dev/null"
check "pages: a note marked in a floated figure's caption is set" sh -c "$TS build $RG/note-in-float-caption.md -o $PG/fnote.pdf 2>/dev/null && pdftotext $PG/fnote.pdf - | grep -q FIGNOTE"
check "text: no soft hyphen leaks into the extracted text of any sample" sh -c "for f in $OUT/en-article.pdf $OUT/ru-article.pdf $OUT/kireeva-2022.pdf; do pdftotext \$f - | grep -q \$(printf '\\302\\255') && exit 1; done; exit 0"
check "text: hyphenated words rejoin in extraction (significance)" sh -c "pdftotext $OUT/en-article.pdf - | grep -q 'significance'"
