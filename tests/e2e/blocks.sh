# tests/e2e/blocks.sh — blocks set as a reader expects: lines ended by a hard
# break are not stretched, code keeps its indentation (tabs too), overfull
# ragged lines are reported, no empty line around an overfull word, figures
# taller than the page are scaled to fit with their caption, figures keep
# their order, citations keep Pandoc's prefixes and locators.  Fixtures in
# tests/blocks/.  Sourced by tests/run.sh (ok, bad, check, has, $TS, $OUT).

B=$OUT/blocks
mkdir -p "$B"
$TS build tests/blocks/breaks.md -o "$B/breaks.pdf" --report "$B/breaks.json" 2>"$B/breaks.err"
check "blocks: the breaks fixture builds" test -s "$B/breaks.pdf"
# paragraph at source line 5: three lines ended by hard breaks (two kinds),
# then the justified remainder and its last line
check "blocks: lines ended by a hard break are set ragged, not stretched" python3 -c "
import json; d=json.load(open('$B/breaks.json'))
p=[p for p in d['paragraphs'] if p['source_line']==5][0]['lines']
assert [l['justified'] for l in p]==[False, False, True, False], p"
check "blocks: an overfull line in a ragged heading is reported" sh -c "
grep -q 'breaks.md:10:1: warning: overfull line' '$B/breaks.err' &&
python3 -c \"
import json; d=json.load(open('$B/breaks.json'))
assert any(l['overfull_pt']>10 for p in d['paragraphs'] if p['source_line']==10 for l in p['lines'])\""
check "blocks: no empty line beside an overfull word (the title has 3 lines)" python3 -c "
import json; d=json.load(open('$B/breaks.json'))
assert len([p for p in d['paragraphs'] if p['source_line']==2][0]['lines'])==3"
# code: the indents of def / if / return / (tab) return, in characters
check "blocks: code keeps its indentation, a tab to the next 4-column stop" python3 -c "
import subprocess
t=subprocess.run(['pdftotext','-layout','$B/breaks.pdf','-'],capture_output=True,text=True).stdout.split('\n')
ind=[len(l)-len(l.lstrip()) for key in ('def f','if x','return x','return -x') for l in t if l.strip().startswith(key)]
assert len(ind)==4 and ind[1]-ind[0]==4 and ind[2]-ind[1]==4 and ind[3]==ind[1], ind"

$TS build tests/blocks/figures.md -o "$B/figures.pdf" 2>"$B/figures.err"
check "blocks: a figure taller than the page builds" test -s "$B/figures.pdf"
check "blocks: its caption is on the page" has "$B/figures.pdf" "Figure 1. A figure taller than the page"
check "blocks: figures keep their order when the first one waits" python3 -c "
import re, subprocess
t=subprocess.run(['pdftotext','$B/figures.pdf','-'],capture_output=True,text=True).stdout
n=[int(x) for x in re.findall(r'Figure (\d)\. ', t)]
assert n==[1,2,3], n"

# citations as Pandoc writes them: a prefix and a locator keep their text, the
# number links to the reference; an e-mail address in brackets is no citation
$TS build tests/blocks/cites.md -o "$B/cites.pdf" 2>"$B/cites.err"
check "blocks: plain citations still merge into ranges" has "$B/cites.pdf" "Plain [1–3]"
check "blocks: a citation with a prefix and a locator" has "$B/cites.pdf" "see [see 2, pp. 3-5; 3]"
check "blocks: a locator without a comma" has "$B/cites.pdf" "[1, p. 7]"
check "blocks: brackets around an e-mail address are text" has "$B/cites.pdf" "mail [write to x@b.org]"
check "blocks: an unknown key is warned about at its place" grep -q "cites.md:12:99: warning: unknown reference 'nokey'" "$B/cites.err"
check "blocks: waiting figures come before the end matter" python3 -c "
import subprocess
t=subprocess.run(['pdftotext','$B/figures.pdf','-'],capture_output=True,text=True).stdout
assert 0 <= t.find('Figure 3.') < t.find('For citations'), t"
check "blocks: a code span and a URL with nothing to break at break inside, not into the margin" sh -c "
! grep -q 'breaks.md:21:1: warning: overfull' '$B/breaks.err' &&
pdftotext -layout '$B/breaks.pdf' - | grep -q 'identifierwithoutanypunctuationatall[a-z]*\$'"

# typographic ties: no break after an initial or a one-letter abbreviation,
# before initials, between №/ст./рис. and a number, a number and its unit, or
# after a Russian one-letter word (tests/ties.py counts the breaks that do)
$TS build tests/blocks/ties-ru.md -o "$B/ties-ru.pdf" 2>/dev/null
check "blocks: Russian ties hold (А. С. Пушкин, т. е., № 81, 146 млн, в море)" sh -c "test \"\$(python3 tests/ties.py '$B/ties-ru.pdf')\" = 0"

# straight quotes typed in Russian become «» with „“ inside; in Chinese, “”
# and ‘’ open and close in turn (cmark alone closes every one beside CJK)
$TS build tests/blocks/quotes-ru.md -o "$B/quotes-ru.pdf" 2>/dev/null
check "blocks: Russian quotes «„…“»" has "$B/quotes-ru.pdf" "Он сказал «это „вложенная“ цитата» и ушёл. Слово «курсив» тоже."
$TS build tests/blocks/quotes-zh.md -o "$B/quotes-zh.pdf" 2>/dev/null
check "blocks: Chinese quotes open and close" has "$B/quotes-zh.pdf" "他说“你好”，然后“再见”。她说：“他说‘好’。”Don’t."

# tables: a cell's warning names its own line (the delimiter row counted), a
# table in a list or a quote takes its indent, space around tables
$TS build tests/blocks/tables.md -o "$B/tables.pdf" 2>"$B/tables.err"
check "blocks: a table cell's warning is at the cell's line" grep -q "tables.md:10:1: warning: table cell too narrow" "$B/tables.err"
check "blocks: tables in a list and a quote are indented like their text" python3 -c "
import re, subprocess
b=subprocess.run(['pdftotext','-bbox','$B/tables.pdf','-'],capture_output=True,text=True).stdout
x={w: float(re.search(r'xMin=\"([0-9.]+)\"[^>]*>'+w+'<', b).group(1)) for w in ('Alpha','Gamma','Epsilon')}
assert x['Gamma'] > x['Alpha'] + 15 and x['Epsilon'] > x['Alpha'] + 5, x"

# the title's inline Markdown: set in italics, plain text in the metadata; a
# footnote mark there is a warning (printed as written)
$TS build tests/blocks/title.md -o "$B/title.pdf" 2>"$B/title.err"
check "blocks: the title's emphasis is set in italics, its metadata is plain" sh -c "
pdffonts '$B/title.pdf' | grep -q Italic && pdfinfo '$B/title.pdf' | grep -q '^Title: *On Erga Omnes Obligations and code'"
check "blocks: a footnote mark in the title is a warning at its line" grep -q "title.md:2:8: warning: a footnote mark in the title" "$B/title.err"
# in two columns (a4-sans): the column under the spanning title is short; a
# tall figure waits for a full column rather than running off the page
$TS build tests/blocks/figures-2col.md --style a4-sans -o "$B/figures-2col.pdf" 2>/dev/null
check "blocks: two columns: every figure's caption is on its page" python3 -c "
import re, subprocess
t=subprocess.run(['pdftotext','$B/figures-2col.pdf','-'],capture_output=True,text=True).stdout
assert sorted(set(re.findall(r'Fig[a-z]*\\. ([123])\\. Caption', t)))==['1','2','3'], t"

# an author's note: a long e-mail address breaks at its punctuation (the line
# before it was stretched, underfull), and a bio's own full stop is not doubled
$TS build tests/blocks/email.md -o "$B/email.pdf" 2>"$B/email.err"
check "blocks: a long e-mail address breaks, no underfull line before it" sh -c "
! grep -q underfull '$B/email.err' && pdftotext -layout '$B/email.pdf' - | grep -q 'international\\.\$'"
check "blocks: a bio ending in a full stop gets no second one" has "$B/email.pdf" "the law of the sea. E-mail:"
