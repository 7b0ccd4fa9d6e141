# tests/e2e/issue.sh — `typeset issue` end to end on samples/issue.yaml: page
# numbers, labels, outline, contents links, the cover and contents pages,
# determinism across -j, failure isolation, the cache, manifest errors and the
# --plan commands.  Sourced by tests/run.sh (ok, bad, check, has, $TS, $OUT).

IS=$OUT/issue
rm -rf "$IS"
mkdir -p "$IS"

# issue_py SCRIPT ARGS...: runs a small Python check (exit status is the result)
issue_py() {
    _s=$1; shift
    python3 -c "$_s" "$@"
}
# The 1-based page of PDF $1 whose page label is $2 (empty when none).
label_page() {
    qpdf --json --json-key=pagelabels "$1" 2>/dev/null | python3 -c '
import json, sys
labels = json.load(sys.stdin)["pagelabels"]
n = int(sys.argv[1]); want = sys.argv[2]
def roman(v):
    out = ""
    for k, s in ((1000,"m"),(900,"cm"),(500,"d"),(400,"cd"),(100,"c"),(90,"xc"),(50,"l"),(40,"xl"),(10,"x"),(9,"ix"),(5,"v"),(4,"iv"),(1,"i")):
        while v >= k: out += s; v -= k
    return out
for p in range(n):
    r = [l for l in labels if l["index"] <= p][-1]
    lab = r["label"]; v = lab.get("/St", 1) + p - r["index"]
    text = lab.get("/P", "u:")[2:] + {"/D": str(v), "/r": roman(v)}.get(lab.get("/S"), "")
    if text == want:
        print(p + 1); break
' "$(pdfinfo "$1" | awk '/^Pages:/ {print $2}')" "$2"
}
page_text() { pdftotext -f "$2" -l "$2" -enc UTF-8 "$1" - 2>/dev/null; }

SEED_TITLE="Theories of International Relations"
D=$IS/out
if $TS issue samples/issue.yaml -o "$D" >"$IS/summary" 2>"$IS/log"; then ok "issue: samples/issue.yaml builds"
else bad "issue: samples/issue.yaml fails: $(grep error "$IS/log" | head -n 3)"; fi
P=$D/issue.pdf
check "issue: issue.pdf and one PDF per article, named after the sources" sh -c \
    "for f in issue en-article ru-article zh-article kireeva-2022; do test -s \"$D/\$f.pdf\" || exit 1; done"
check "issue: qpdf --check issue.pdf" sh -c "qpdf --check '$P' | grep -q 'No syntax or stream encoding errors'"
check "issue: issue.pdf merged on the bytes (every input in Cairo's shape), not by qpdf" sh -c \
    "grep -q 'wrote .*issue.pdf' '$IS/log' && ! grep -q 'merged by qpdf' '$IS/log'"
check "issue: tagged, titled" sh -c "pdfinfo '$P' | grep -q '^Tagged: *yes' && pdfinfo '$P' | grep -q '^Title: *Russian Journal of World Politics'"
# each article's structure keeps its language (the issue's catalog says the
# manifest's): en, ru, zh, en in the sample's order, after the front's
check "issue: each article's Document element carries its /Lang" sh -c \
    "test \"\$(python3 tests/doclang.py '$P' | tr '\\n' ' ')\" = 'None en ru zh en '"
check "issue: ghostscript and pdfinfo read issue.pdf cleanly" sh -c \
    "gs -q -dNOPAUSE -dBATCH -sDEVICE=nullpage '$P' 2>&1 | (! grep -qi error) && pdfinfo '$P' 2>&1 >/dev/null | (! grep -q .)"
# issue.pdf is merged from the article PDFs, whose font subsets differ: a
# font may come once per article and once for the cover and contents, no more
parts=$(( $(ls "$D"/*.pdf | wc -l) ))     # the articles + issue.pdf = articles + front
check "issue: fonts embedded (at most once per article), no Type 3" sh -c \
    "pdffonts '$P' | tail -n +3 | awk -v max=$parts '{ if (\$0 ~ /Type 3/ || \$(NF-4) != \"yes\") exit 1; sub(/^[A-Z]+\\+/, \"\", \$1); n[\$1 \" \" \$2]++ } END { for (f in n) if (n[f] > max) exit 1 }'"

# merged from the article PDFs: every link and outline target is in the one
# name tree, every structure key of a page or link in the one parent tree
check "issue: issue.pdf has a plain xref table, no object streams (older RIPs, PDF/X-1a)" sh -c \
    "! grep -aq '/ObjStm' '$P' && grep -aq '^xref' '$P'"
check "issue: every named destination and structure key of issue.pdf resolves" \
    python3 tests/pdfdests.py "$P"

# the seed article starts on page 98, in the issue and in its own PDF
p98=$(label_page "$P" 98)
if [ -n "$p98" ] && page_text "$P" "$p98" | tr '\n' ' ' | grep -qF "$SEED_TITLE"; then ok "issue: the seed's first page is labelled 98 in issue.pdf"
else bad "issue: the page labelled 98 in issue.pdf (${p98:-none}) is not the seed's first page"; fi
check "issue: the page after it shows folio 99 and is labelled 99" sh -c \
    "test '$(label_page "$P" 99)' = '$((p98 + 1))' && pdftotext -f $((p98 + 1)) -l $((p98 + 1)) '$P' - | grep -qx '99'"
K=$D/kireeva-2022.pdf
kn=$(pdfinfo "$K" 2>/dev/null | awk '/^Pages:/ {print $2}')
klast=$((98 + ${kn:-1} - 1))
check "issue: kireeva-2022.pdf starts at page label 98" sh -c "test '$(label_page "$K" 98)' = 1"
check "issue: kireeva-2022.pdf carries the issue's folios (p. 2 shows 99)" sh -c "pdftotext -f 2 -l 2 '$K' - | grep -qx '99'"
check "issue: the seed's masthead and for-citations give 98–$klast" sh -c \
    "test \$(pdftotext -enc UTF-8 '$K' - | tr '\n' ' ' | grep -oE '98[–-] ?$klast' | wc -l) -ge 2"
check "issue: the summary table gives the seed 98–$klast" grep -qE "^kireeva-2022.md +$kn +98–$klast " "$IS/summary"
check "issue: page labels run on in the issue (first article from 77)" sh -c \
    "test '$(label_page "$P" 77)' = 3 && page_t=\$(pdftotext -f 3 -l 3 '$P' - | tr '\n' ' ') && echo \"\$page_t\" | grep -q 'Countermeasures'"

# cover and contents
check "issue: cover and contents are labelled i and ii" sh -c "test '$(label_page "$P" i)' = 1 && test '$(label_page "$P" ii)' = 2"
check "issue: the cover names journal, volume, ISSN" sh -c \
    "pdftotext -f 1 -l 1 '$P' - | tr '\n' ' ' | grep -q 'ISSN 2949-6322.*Russian Journal of World Politics.*Volume 1 · Number 1-2 · 2022'"
check "issue: the contents lists sections, titles, authors and first pages" sh -c \
    "pdftotext -layout -f 2 -l 2 '$P' - | tr -s ' ' > '$IS/toc.txt' && grep -q '^ *Contents' '$IS/toc.txt' && grep -q 'Research articles' '$IS/toc.txt' && grep -q 'Theory of International Relations' '$IS/toc.txt' && grep -q 'Theories of International Relations and Prospects.* 98$' '$IS/toc.txt' && grep -q 'A. A. Kireeva' '$IS/toc.txt' && grep -q 'Countermeasures, Retorsion.* 77$' '$IS/toc.txt'"
# the cover and contents are labelled i, ii and print no folio; the page
# builder sets an arabic one on every page after the first, before the page's
# text since a cairo 1.16 workaround, and the contents once kept its "2"
front_folio() { # front_folio PDF N: some page among the first N shows its own number alone on a line
    _p=1
    while [ "$_p" -le "$2" ]; do
        pdftotext -layout -f "$_p" -l "$_p" "$1" - 2>/dev/null | grep -qxE " *$_p *" && return 0
        _p=$((_p + 1))
    done
    return 1
}
if page_text "$P" 2 | grep -q '^Contents' && ! front_folio "$P" 2; then ok "issue: the cover and contents print no arabic folio"
else bad "issue: the cover or contents prints an arabic folio (or the contents is not page 2)"; fi
check "issue: every contents entry links to its article's title destination" sh -c \
    "qpdf --json --json-key=pages '$P' >/dev/null && qpdf --qdf --object-streams=disable '$P' - 2>/dev/null | grep -a -o '/Dest (a[0-9]*-title)' | sort -u | wc -l | grep -qx 4"
check "issue: the title destinations exist on the articles' first pages" sh -c \
    "pdfinfo -dests '$P' | grep -q '^ *$p98 .*\"a4-title\"' && pdfinfo -dests '$P' | grep -q '^ *3 .*\"a1-title\"'"
check "issue: destination names are unique" sh -c \
    "pdfinfo -dests '$P' | awk 'NR > 1 {print \$NF}' | sort | uniq -d | (! grep -q .) && test \$(pdfinfo -dests '$P' | grep -c '\"a2-ref-') -ge 1"

# outline: one entry per article (its title), its headings one level below
check "issue: outline has one entry per article with its headings nested" issue_py '
import json, subprocess, sys
def ol(p): return json.loads(subprocess.run(["qpdf", "--json", "--json-key=outlines", p], capture_output=True).stdout)["outlines"]
top = ol(sys.argv[1]); en = ol(sys.argv[2])
titles = [o["title"] for o in top]
ok = len(top) == 4 and titles[0].startswith("Countermeasures") and titles[3].startswith("Theories")
ok = ok and [k["title"] for k in top[0]["kids"]] == [o["title"] for o in en]
ok = ok and all(len(o["kids"]) > 0 for o in top)
sys.exit(0 if ok else 1)' "$P" "$D/en-article.pdf"

# say_diff A B: when two builds' PDFs differ, says which and where (exit
# statuses, the first page whose text differs), so that a rare failure leaves
# something to go on; the directories are kept under $IS
say_diff() {
    for f in "$1"/*.pdf; do
        g="$2/$(basename "$f")"
        cmp -s "$f" "$g" && continue
        echo "     $(basename "$f") differs ($(wc -c <"$f") and $(wc -c <"$g" 2>/dev/null || echo missing) bytes)"
        echo "     fonts: $(pdffonts "$f" 2>/dev/null | tail -n +3 | awk '{print $1}' | tr '\n' ' ')| $(pdffonts "$g" 2>/dev/null | tail -n +3 | awk '{print $1}' | tr '\n' ' ')"
        n=$(pdfinfo "$f" 2>/dev/null | awk '/^Pages:/ {print $2}')
        p=1
        while [ "$p" -le "${n:-0}" ]; do
            if [ "$(pdftotext -f $p -l $p "$f" - 2>/dev/null)" != "$(pdftotext -f $p -l $p "$g" - 2>/dev/null)" ]; then
                echo "     first page with different text: $p"; break
            fi
            p=$((p + 1))
        done
    done
    cat "$1.err" "$2.err" 2>/dev/null | head -n 5 | sed 's/^/     /'
}

# the issue cache knows the program by its GNU build ID (the Makefile links
# with --build-id; without one it hashes the whole executable, slower)
check "issue: the program carries a GNU build ID" sh -c "readelf -n '$TS' | grep -q 'Build ID'"

# determinism: -j 1 and -j 2
$TS issue samples/issue.yaml -o "$IS/j1" -j 1 >/dev/null 2>"$IS/j1.err"; echo "exit $?" >>"$IS/j1.err"
$TS issue samples/issue.yaml -o "$IS/j2" -j 2 >/dev/null 2>"$IS/j2.err"; echo "exit $?" >>"$IS/j2.err"
check "issue: -j 1 and -j 2 give byte-identical issue.pdf" cmp -s "$IS/j1/issue.pdf" "$IS/j2/issue.pdf" ||
    say_diff "$IS/j1" "$IS/j2"
check "issue: -j 1 and -j 2 give byte-identical article PDFs" sh -c \
    "for f in en-article ru-article zh-article kireeva-2022; do cmp -s \"$IS/j1/\$f.pdf\" \"$IS/j2/\$f.pdf\" || exit 1; done"
# more threads than articles and than processors: threads that wait for the
# folios of theirs, or for the merge (issuebuild.c, stream_worker)
$TS issue samples/issue.yaml -o "$IS/j8" -j 8 -q 2>/dev/null
check "issue: -j 8 gives the same issue.pdf and article PDFs as -j 1" sh -c \
    "for f in issue en-article ru-article zh-article kireeva-2022; do cmp -s \"$IS/j1/\$f.pdf\" \"$IS/j8/\$f.pdf\" || exit 1; done"

# phase 1 streams: each article is set and written as soon as the ones
# before it are measured, before phase 1 ends (issuebuild.c, run_stream);
# at -j 2 the merge of issue.pdf begins there too, so phase 2 has nothing
# left to set
for j in 1 2; do
    check "issue: -j $j sets and writes each article within phase 1" sh -c \
        "awk '/: set at .*, wrote / { n++ } /phase 1: / { ok = n == 4; exit } END { exit !ok }' '$IS/j$j.err'"
done
check "issue: -j 2 sets nothing in phase 2" sh -c \
    "awk '/phase 1: / { p = 1 } p && /: set at / { bad = 1 } END { exit bad || !p }' '$IS/j2.err'"

# recto starts: a4-sans has recto_start: true
$TS issue samples/issue.yaml -o "$IS/recto" --style a4-sans >"$IS/recto.summary" 2>/dev/null
check "issue: with recto_start every article starts on an odd page" sh -c \
    "test \$(grep -cE '^[a-z0-9-]+\.md +[0-9]+ +[0-9]*[13579]–' '$IS/recto.summary') -eq 4"
check "issue: with recto_start a blank verso is inserted" sh -c \
    "RP='$IS/recto/issue.pdf'; n=\$(pdfinfo \"\$RP\" | awk '/^Pages:/ {print \$2}'); s=\$(awk 'NR>1 && /–/ {split(\$3, r, \"–\"); t += r[2] - r[1] + 1} END {print t}' '$IS/recto.summary'); test \$n -gt \$((s + 2))"

if ! front_folio "$IS/recto/issue.pdf" 2; then ok "issue: with a4-sans too, the front prints no arabic folio"
else bad "issue: with a4-sans, the cover or contents prints an arabic folio"; fi

# every folio on its side of the sheet: issue.pdf's page 1 (the cover) is a
# recto, so a page labelled with an odd folio must be an odd page of the file
# and an even folio an even page, whatever the front's length, the style's
# recto_start and the parity of first_page
sides_ok() { # sides_ok PDF: prints the offending pages, fails when there are any
    qpdf --json --json-key=pagelabels "$1" 2>/dev/null | python3 -c '
import json, sys
labels = json.load(sys.stdin)["pagelabels"]
wrong = []
for p in range(int(sys.argv[1])):
    r = [l for l in labels if l["index"] <= p][-1]
    if r["label"].get("/S") == "/D":
        v = r["label"].get("/St", 1) + p - r["index"]
        if v % 2 != (p + 1) % 2: wrong.append("%d on page %d" % (v, p + 1))
print(", ".join(wrong)); sys.exit(1 if wrong else 0)
' "$(pdfinfo "$1" | awk '/^Pages:/ {print $2}')"
}
check "issue: every folio of the sample issue is on its side of the sheet" sides_ok "$P"
check "issue: ... and with a4-sans (recto starts)" sides_ok "$IS/recto/issue.pdf"
S2=$IS/sides
mkdir -p "$S2"
cp samples/en-article.md samples/ru-article.md "$S2/"
# recto starts and an even first_page: the first article cannot start on 10;
# it starts on 11, right after the cover and contents (no blank page 10 on a
# right-hand page, folio 11 on a left-hand one after it), and the manifest's
# first_page line says so
printf 'journal: J\nstyle: a4-sans\nfirst_page: 10\narticles: [en-article.md, ru-article.md]\n' > "$S2/recto-even.yaml"
$TS issue "$S2/recto-even.yaml" -o "$S2/re" >/dev/null 2>"$S2/re.err"
rc=$?
check "issue: recto starts, even first_page: built, with a warning at first_page" sh -c \
    "test $rc -eq 0 && grep -q 'recto-even.yaml:3:13: warning: first_page 10 is a left-hand (even) page, but style .a4-sans. starts articles on right-hand (odd) pages: the first article starts on page 11' '$S2/re.err'"
check "issue: ... the first article starts on page 3, labelled 11; no page is labelled 10" sh -c \
    "test '$(label_page "$S2/re/issue.pdf" 11)' = 3 && test -z '$(label_page "$S2/re/issue.pdf" 10)' && pdftotext -f 3 -l 3 '$S2/re/issue.pdf' - | grep -q 'Countermeasures'"
check "issue: ... every folio on its side of the sheet" sides_ok "$S2/re/issue.pdf"
# no recto starts and an even first_page: the front is padded with a blank
# page (iii), so that page 78 is a left-hand page
printf 'journal: J\nstyle: rjwpln\nfirst_page: 78\narticles: [en-article.md, ru-article.md]\n' > "$S2/even.yaml"
$TS issue "$S2/even.yaml" -o "$S2/ev" >/dev/null 2>"$S2/ev.err"
check "issue: even first_page: a blank page iii after the contents, 78 on page 4" sh -c \
    "test '$(label_page "$S2/ev/issue.pdf" iii)' = 3 && test -z \"\$(pdftotext -f 3 -l 3 '$S2/ev/issue.pdf' - | tr -d '[:space:]')\" && test '$(label_page "$S2/ev/issue.pdf" 78)' = 4 && ! grep -q 'first_page' '$S2/ev.err'"
check "issue: ... every folio on its side of the sheet" sides_ok "$S2/ev/issue.pdf"

# one broken article: the others are still written, no issue.pdf
F=$IS/fail
mkdir -p "$F/src"
cp samples/*.md samples/issue.yaml "$F/src/"
printf -- '---\ntitle: [broken\n---\nText.\n' > "$F/src/zh-article.md"
$TS issue "$F/src/issue.yaml" -o "$F/out" >"$F/summary" 2>"$F/err"
rc=$?
check "issue: a failing article exits 1" test "$rc" -eq 1
check "issue: the failing article and its error are named" sh -c \
    "grep -q 'zh-article.md:3:[0-9]*: error: YAML' '$F/err' && grep -q 'failed (zh-article.md)' '$F/err' && grep -qE '^zh-article.md +- +failed' '$F/summary'"
check "issue: the other articles' PDFs are written" sh -c \
    "test -s '$F/out/en-article.pdf' && test -s '$F/out/ru-article.pdf' && test -s '$F/out/kireeva-2022.pdf' && test ! -e '$F/out/zh-article.pdf'"
check "issue: no issue.pdf with a hole in it" test ! -e "$F/out/issue.pdf"

# an article whose PDF cannot be put in place (a directory in the way): its
# PDF is committed after its merging step (issuebuild.c, item_commit), and
# still fails the article, with no issue.pdf and no temporary file left
W2=$IS/inway
mkdir -p "$W2/zh-article.pdf"
$TS issue samples/issue.yaml -o "$W2" -j 2 >/dev/null 2>"$W2.err"
rc=$?
check "issue: an article PDF that cannot be written fails its article, and no issue.pdf" sh -c \
    "test $rc -eq 1 && grep -q \"zh-article.pdf:1:1: error: cannot write .*Is a directory\" '$W2.err' && grep -q 'failed (zh-article.md)' '$W2.err' && test ! -e '$W2/issue.pdf' && test -s '$W2/en-article.pdf' && ! ls -a '$W2' | grep -qE '\\.pdf\\.'"

# incremental: after editing one article only that one is laid out again in phase 1
C=$IS/cache
mkdir -p "$C/src"
cp samples/*.md samples/issue.yaml "$C/src/"
$TS issue "$C/src/issue.yaml" -o "$C/out" -j 2 >/dev/null 2>"$C/log1"
printf '\nOne more sentence for the incremental rebuild.\n' >> "$C/src/ru-article.md"
$TS issue "$C/src/issue.yaml" -o "$C/out" -j 2 >/dev/null 2>"$C/log2"
check "issue: first build lays out every article" sh -c "test \$(grep -c ': laid out' '$C/log1') -eq 4"
check "issue: rebuild after editing one article lays out only that one" sh -c \
    "test \$(grep -c ': laid out' '$C/log2') -eq 1 && grep -q 'ru-article.md: laid out' '$C/log2' && test \$(grep -c ': [0-9]* pages, from the cache' '$C/log2') -eq 3"
check "issue: the first build (-j 2) opens two font contexts, the rebuild one (the edited article's)" sh -c \
    "grep -q 'phase 1: .*; 2 font contexts)' '$C/log1' && grep -q 'phase 1: .*; 1 font context)' '$C/log2'"
check "issue: ... and sets again only its changed paragraphs (the others as the last build set them)" \
    grep -qE 'ru-article.md: laid out, .*; [0-9]+ of [0-9]+ paragraphs as the last build set them' "$C/log2"
check "issue: ... at the folio the last build gave it (one layout, painted as phase 1 left it)" \
    grep -qE 'ru-article.md: laid out, .*; at p\. [0-9]+, where the last build set it' "$C/log2"
check "issue: rebuild rewrites only the edited article's PDF" sh -c \
    "grep -q 'ru-article.md: set at .* wrote ' '$C/log2' && test \$(grep -c 'unchanged$' '$C/log2') -eq 3"
check "issue: the rebuilt issue has the new sentence" has "$C/out/issue.pdf" "One more sentence for the incremental rebuild."
check "issue: the rebuild takes the cover and contents from the cache (no title changed)" \
    grep -q 'cover and contents: unchanged, from the cache' "$C/log2"
check "issue: the rebuild merges the unchanged articles' files on the bytes too" sh -c \
    "grep -q 'wrote .*issue.pdf' '$C/log2' && ! grep -q 'merged by qpdf' '$C/log2'"
cp -r "$C/src" "$C/src-fresh"
$TS issue "$C/src-fresh/issue.yaml" -o "$C/fresh" -j 2 -q 2>/dev/null
check "issue: the incremental issue.pdf is byte-identical to a fresh build's" cmp -s "$C/out/issue.pdf" "$C/fresh/issue.pdf" ||
    { cp -r "$C/out" "$C/out-kept"; say_diff "$C/out-kept" "$C/fresh"; }
# a font package updated: the cache keys hold the font files' sizes and
# times (fontlib_files_identity), so a rebuild after one changes lays out
# every article again (here a copy of the PT faces, in a data directory of
# its own, given another time as an update would)
mkdir -p "$IS/fontdir/fonts/paratype"
FD=$(cd "$IS/fontdir" && pwd)     # (fontconfig wants the font directory absolute)
cp /usr/share/fonts/truetype/paratype/PTF5*.ttf /usr/share/fonts/truetype/paratype/PTF7*.ttf \
   /usr/share/fonts/truetype/paratype/PTS*.ttf /usr/share/fonts/truetype/paratype/PTM*.ttf "$FD/fonts/paratype/"
sed "s#/usr/share/fonts/truetype/paratype#$FD/fonts/paratype#g" fonts/fonts.conf > "$FD/fonts/fonts.conf"
ln -s "$(pwd)/styles" "$FD/styles"
cp -r "$C/src" "$FD/src"
for n in 1 2; do
    TYPESET_DATADIR=$FD $TS issue "$FD/src/issue.yaml" -o "$FD/out" -j 2 >/dev/null 2>"$FD/log$n"
done
touch -d '2001-02-03 04:05:06' "$FD/fonts/paratype/PTF55F.ttf"
TYPESET_DATADIR=$FD $TS issue "$FD/src/issue.yaml" -o "$FD/out" -j 2 >/dev/null 2>"$FD/log3"
TYPESET_DATADIR=$FD $TS issue "$FD/src/issue.yaml" -o "$FD/fresh" -j 2 >/dev/null 2>/dev/null
check "issue: with the font files unchanged, a rebuild takes every article from the cache" sh -c \
    "test \$(grep -c ': [0-9]* pages, from the cache' '$FD/log2') -eq 4 && ! grep -q ': laid out' '$FD/log2'"
check "issue: a font file updated (another time) lays every article out again, as a fresh build does" sh -c \
    "test \$(grep -c ': laid out' '$FD/log3') -eq 4 && ! grep -q ': [0-9]* pages, from the cache' '$FD/log3' && cmp -s '$FD/out/issue.pdf' '$FD/fresh/issue.pdf'"
# stale cache files go: at most once a day (the time of .cache/pruned), a
# build removes what no build has written for 30 days; the issue's own
# records, written today, stay
J=$FD/out/.cache/0000000000000000000000000000000000000000000000000000000000000000
printf 'typeset issue cache 2\npages 3\nend\n' > "$J"
touch -d '60 days ago' "$J"
TYPESET_DATADIR=$FD $TS issue "$FD/src/issue.yaml" -o "$FD/out" -j 2 >/dev/null 2>"$FD/log4"
check "issue: a stale cache file stays while the cache was pruned less than a day ago" sh -c \
    "test -e '$J' && test -e '$FD/out/.cache/pruned' && ! grep -q 'cache: removed' '$FD/log4'"
touch -d '2 days ago' "$FD/out/.cache/pruned"
TYPESET_DATADIR=$FD $TS issue "$FD/src/issue.yaml" -o "$FD/out" -j 2 >/dev/null 2>"$FD/log5"
check "issue: ... and goes once that is a day old, the issue's own records staying" sh -c \
    "test ! -e '$J' && grep -q 'cache: removed 1 file no build had written for 30 days' '$FD/log5' && test \$(grep -c ': [0-9]* pages, from the cache' '$FD/log5') -eq 4 && test \$(find '$FD/out/.cache/pruned' -mmin -60 | wc -l) -eq 1"
# an article PDF changed in OUTDIR since it was written (its bytes' identity
# is checked on the bytes, not on the file's times) is written again, not
# taken as unchanged: bytes added, and bytes changed in place at the same
# size with the file's times set back
$TS issue "$C/src/issue.yaml" -o "$C/out" -j 2 >/dev/null 2>/dev/null
printf 'tampered' >> "$C/out/en-article.pdf"
$TS issue "$C/src/issue.yaml" -o "$C/out" -j 2 >/dev/null 2>"$C/log3"
check "issue: an article PDF changed by hand is written again" sh -c \
    "grep -q 'en-article.md: set at .* wrote ' '$C/log3' && cmp -s '$C/out/en-article.pdf' '$C/fresh/en-article.pdf'"
touch -r "$C/out/en-article.pdf" "$C/stamp"
printf 'XXXX' | dd of="$C/out/en-article.pdf" bs=1 seek=2000 conv=notrunc 2>/dev/null
touch -r "$C/stamp" "$C/out/en-article.pdf"
$TS issue "$C/src/issue.yaml" -o "$C/out" -j 2 >/dev/null 2>"$C/log3b"
check "issue: ... and one changed in place, its size and time kept, too" sh -c \
    "grep -q 'en-article.md: set at .* wrote ' '$C/log3b' && cmp -s '$C/out/en-article.pdf' '$C/fresh/en-article.pdf'"
# without SOURCE_DATE_EPOCH every PDF is dated now; the cover and contents,
# whose dates the merge replaces with the issue's, still come from the cache
printf '\nA sentence for a rebuild dated now.\n' >> "$C/src/en-article.md"
env -u SOURCE_DATE_EPOCH $TS issue "$C/src/issue.yaml" -o "$C/out" -j 2 >/dev/null 2>"$C/log5"
check "issue: a rebuild dated now takes the cover and contents from the cache" \
    grep -q 'cover and contents: unchanged, from the cache' "$C/log5"
check "issue: ... and issue.pdf is dated now, not by the cached front" sh -c \
    "pdfinfo '$C/out/issue.pdf' | grep '^CreationDate:' | grep -q ' $(date -u +%Y)'"
# the cache's pack cut short after a whole line (written without fsync,
# then a crash): every record in it is a miss, not a wrong answer (its last
# line counts them)
for r in "$C/out/.cache"/*.pack; do sed -i '$d' "$r"; done
$TS issue "$C/src/issue.yaml" -o "$C/out" -j 2 >/dev/null 2>"$C/log4"
check "issue: page-count records in a pack cut short are not used" sh -c "test \$(grep -c ': laid out' '$C/log4') -eq 4"
# a pack that is not one (bytes of another program), and a directory named
# like a pack: the build goes on, the first is replaced by the next whole
# save, the second left alone; the build after takes its counts from the
# new pack
head -c 3000 "$C/out/en-article.pdf" > "$C/out/.cache/0123456789abcdef0123456789abcdef.pack"
mkdir -p "$C/out/.cache/fedcba9876543210fedcba9876543210.pack"
$TS issue "$C/src/issue.yaml" -o "$C/out" -j 2 >/dev/null 2>"$C/log6"
rc=$?
$TS issue "$C/src/issue.yaml" -o "$C/out" -j 2 >/dev/null 2>"$C/log7"
check "issue: a pack that is not one is replaced, a directory so named left alone" sh -c \
    "test $rc -eq 0 && test ! -e '$C/out/.cache/0123456789abcdef0123456789abcdef.pack' && test -d '$C/out/.cache/fedcba9876543210fedcba9876543210.pack' && test \$(grep -c ': [0-9]* pages, from the cache' '$C/log7') -eq 4"
rmdir "$C/out/.cache/fedcba9876543210fedcba9876543210.pack"

# a wrong page count in the cache (as a stale record would give): phase 2
# finds the real count, numbers again, sets what moved, and issue.pdf is the
# same as a clean build's (the merge begun under the wrong numbers is redone)
W=$IS/wrong
mkdir -p "$W/src"
cp samples/*.md samples/issue.yaml "$W/src/"
$TS issue "$W/src/issue.yaml" -o "$W/out" -j 2 -q 2>/dev/null
cp "$W/out/issue.pdf" "$W/clean.pdf"
# (a record is a line of the pack, its newlines written \n: the page counts
# are the records with pages and no pdf digest)
perl -pi -e 's/\\npages (\d+)\\nend\\n$/"\\npages " . ($1 + 2) . "\\nend\\n"/e unless /\\npdf /' \
    "$W/out/.cache"/*.pack
rm -f "$W/out"/*.pdf
$TS issue "$W/src/issue.yaml" -o "$W/out" -j 2 2>"$W/log" >/dev/null
check "issue: wrong cached page counts are corrected by numbering again" grep -q 'numbering again' "$W/log"
check "issue: ... and issue.pdf is byte-identical to the clean build's" cmp -s "$W/clean.pdf" "$W/out/issue.pdf"

# manifest errors, before any work
M=$IS/manifest
mkdir -p "$M"
cp samples/*.md "$M/"
printf 'journal: J\narticles:\n  - en-article.md\n  - missing-one.md\n  - ru-article.md\n  - missing-two.md\n' > "$M/missing.yaml"
$TS issue "$M/missing.yaml" -o "$M/out" 2>"$M/err"
rc=$?
check "issue: a missing article is an error naming the manifest line" sh -c \
    "test $rc -eq 1 && grep -q \"missing.yaml:4:5: error: cannot read article 'missing-one.md'\" '$M/err' && grep -q \"missing.yaml:6:5: error: cannot read article 'missing-two.md'\" '$M/err'"
check "issue: nothing is written when the manifest is wrong" test ! -e "$M/out"
printf 'journal: J\ncolour: red\narticles: [en-article.md]\n' > "$M/unknown.yaml"
check "issue: an unknown manifest key is an error at its position" sh -c \
    "! $TS issue '$M/unknown.yaml' -o '$M/out' 2>'$M/err2' && grep -q \"unknown.yaml:2:1: error: unknown key 'colour'\" '$M/err2'"
printf 'journal: &j J\nissn: *j\narticles: [en-article.md]\n' > "$M/alias.yaml"
printf 'journal: J\nstyle: nosuchstyle\narticles: [en-article.md]\n' > "$M/nostyle.yaml"
check "issue: an unknown style is an error at the manifest's style line" sh -c \
    "$TS issue '$M/nostyle.yaml' -o '$M/out' 2>'$M/err4'; test \$? -eq 1 && grep -q \"nostyle.yaml:2:8: error: unknown style 'nosuchstyle'\" '$M/err4' && ! grep -q 'nosuchstyle.yaml:1:1' '$M/err4'"
check "issue: --style replaces the manifest's style, unknown or not" sh -c \
    "$TS issue '$M/nostyle.yaml' -o '$M/out-ok' --style rjwpln -q 2>/dev/null && test -s '$M/out-ok/issue.pdf'"
check "issue: YAML aliases are refused" sh -c \
    "$TS issue '$M/alias.yaml' -o '$M/out' 2>'$M/err3'; test \$? -eq 1 && grep -q 'alias.yaml:2:7: error: YAML aliases are not allowed' '$M/err3'"
check "issue: usage errors exit 2" sh -c "$TS issue samples/issue.yaml 2>/dev/null; test \$? -eq 2"

# --plan: one job per article, then the assemble line; running them gives the same PDF
$TS issue --plan samples/issue.yaml -o "$IS/plan" >"$IS/plan.txt" 2>/dev/null
check "issue: --plan prints one job per article plus the assemble line" sh -c \
    "test \$(wc -l < '$IS/plan.txt') -eq 5 && for k in 1 2 3 4; do sed -n \"\${k}p\" '$IS/plan.txt' | grep -q \" issue samples/issue.yaml -o $IS/plan --article \$k\$\" || exit 1; done && tail -n 1 '$IS/plan.txt' | grep -q ' --assemble\$'"
check "issue: --plan writes nothing" test ! -e "$IS/plan"
(head -n 4 "$IS/plan.txt" | while read -r job; do sh -c "$job" 2>/dev/null || echo failed; done
 tail -n 1 "$IS/plan.txt" | sh >/dev/null 2>&1) > "$IS/plan.run"
check "issue: the plan's commands run" sh -c "! grep -q failed '$IS/plan.run' && test -s '$IS/plan/issue.pdf'"
check "issue: the plan's commands give the same issue.pdf" cmp -s "$IS/plan/issue.pdf" "$D/issue.pdf" ||
    say_diff "$D" "$IS/plan"
check "issue: each --article job leaves its paragraphs for the next build" sh -c \
    "test \$(ls '$IS/plan/.cache/' | grep -c '\.paras\$') -eq 4"
rm -rf "$IS/plan2"
check "issue: --assemble without the jobs fails and names the missing job" sh -c \
    "$TS issue samples/issue.yaml -o '$IS/plan2' --assemble >/dev/null 2>'$IS/plan2.err'; test \$? -eq 1 && grep -q \"no page count in the cache for 'en-article.md'.*--article 1\" '$IS/plan2.err' && test ! -e '$IS/plan2/issue.pdf'"

# parallel parsing is deterministic (cmark-gfm's process-wide tables once made
# two threads lose a link now and then): five -j 2 builds, one result
for n in 1 2 3 4 5; do
    rm -rf "$IS/race"
    $TS issue samples/issue.yaml -o "$IS/race" --quiet -j 2 2>/dev/null
    md5sum < "$IS/race/issue.pdf"
done | sort -u > "$IS/race.sums"
check "issue: five parallel builds give one and the same issue.pdf" test "$(wc -l < "$IS/race.sums")" -eq 1

# the same with the two-column style, whose front and articles use more font
# faces than cairo 1.16 keeps open: a face closed by one thread while another
# painted crashed about one run in four (layout.c: engine_pin_font)
crashed=0
for i in 1 2 3 4 5 6 7 8; do
    rm -rf "$IS/race2"
    $TS issue samples/issue.yaml -o "$IS/race2" --style a4-sans --quiet -j 2 >/dev/null 2>&1 || crashed=$((crashed + 1))
done
check "issue: eight -j 2 builds with a4-sans all succeed (no font-face race)" test "$crashed" -eq 0

# an unchanged article is read light in a rebuild (its front matter only,
# layout-free: KEY.doc in OUTDIR/.cache's pack lists its images for its
# content key):
# a changed figure still lays it out again, and the rebuild's issue.pdf is
# the fresh build's; an article whose reading warned is read whole again
L=$IS/light
rm -rf "$L"
mkdir -p "$L/src"
cp tests/blocks/figures.md tests/blocks/small.png tests/blocks/tall.png samples/en-article.md "$L/src/"
printf -- '---\ntitle: Odd\nunknown_key_here: 1\n---\n\nA body.\n' >"$L/src/warn.md"
printf 'journal: J\nfirst_page: 1\narticles: [figures.md, en-article.md, warn.md]\n' >"$L/src/issue.yaml"
$TS issue "$L/src/issue.yaml" -o "$L/out" -j 2 >/dev/null 2>"$L/log1"
$TS issue "$L/src/issue.yaml" -o "$L/out" -j 2 >/dev/null 2>"$L/log2"
check "issue: the first build keeps a record of each clean source's images, none of a warned one" sh -c \
    "test \$(cat '$L/out/.cache/'*.pack | grep -c '^[0-9a-f]*\.doc ') -eq 2 && grep -q 'unknown_key_here' '$L/log1'"
check "issue: an unchanged rebuild reads light, lays nothing out, and still reports the warned source" sh -c \
    "test \$(grep -c ': laid out' '$L/log2') -eq 0 && grep -q 'unknown_key_here' '$L/log2'"
cp tests/blocks/tall.png "$L/src/small.png"        # the figure changed, its source not
$TS issue "$L/src/issue.yaml" -o "$L/out" -j 2 >/dev/null 2>"$L/log3"
check "issue: a changed image lays out again the (light-read) article that shows it" sh -c \
    "grep -q 'figures.md: laid out' '$L/log3' && test \$(grep -c ': laid out' '$L/log3') -eq 1"
cp -r "$L/src" "$L/src-fresh"
$TS issue "$L/src-fresh/issue.yaml" -o "$L/fresh" -j 2 -q 2>/dev/null
check "issue: ... and the rebuild's issue.pdf is a fresh build's" cmp -s "$L/out/issue.pdf" "$L/fresh/issue.pdf"
