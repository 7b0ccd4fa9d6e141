#!/bin/sh
# tests/run.sh — the whole test suite: unit test binaries, then end-to-end
# checks of every sample with real PDF tools, then the bad-input corpus.
# Run from the repository root (make test does).  Ends with "N passed, M failed".
set -u
TS=${TS:-./build/typeset}
# A sanitizer build (make test-asan) runs the same suite with its own binary,
# unit tests and output directory; it cannot live under `ulimit -v` (ASan maps
# terabytes of shadow memory) and runs a few times slower.
OUT=${TEST_OUT:-build/test}
UNIT_DIR=${UNIT_DIR:-build/tests}
BAD_ULIMIT_V=${BAD_ULIMIT_V-1048576}
BAD_TIMEOUT=${BAD_TIMEOUT:-10}
rm -rf "$OUT"
mkdir -p "$OUT"
touch "$OUT/.start"     # tests/e2e/reliability.sh: no sample may be newer than this
PASS=0
FAIL=0
export SOURCE_DATE_EPOCH=1700000000

ok() { PASS=$((PASS + 1)); echo "ok   $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }
check() { # check NAME COMMAND...: passes when the command succeeds; returns its status
    _n=$1; shift
    if "$@" >/dev/null 2>&1; then ok "$_n"; else bad "$_n"; return 1; fi
}

# ---- unit tests --------------------------------------------------------------
for t in "$UNIT_DIR"/*; do
    [ -x "$t" ] || continue
    log=$OUT/$(basename "$t").log
    if "$t" >"$log" 2>&1; then ok "unit $(basename "$t") ($(tail -n 1 "$log"))"
    else bad "unit $(basename "$t"): $(grep -c '^FAIL' "$log") failures, see $log"; grep '^FAIL' "$log" | head -5; fi
done

# ---- end to end on the samples -------------------------------------------------
txt() { pdftotext -enc UTF-8 "$1" - 2>/dev/null | tr '\n' ' ' | sed 's/\xc2\xad //g; s/- //g' ; }
has() { # has PDF TEXT: the PDF's text (hyphenation undone, lines joined) contains TEXT
    txt "$1" | grep -qF -- "$2"
}
for src in samples/*.md; do
    name=$(basename "$src" .md)
    pdf=$OUT/$name.pdf
    if $TS build "$src" -o "$pdf" 2>"$OUT/$name.err"; then ok "build $name"; else bad "build $name: $(head -n 3 "$OUT/$name.err")"; continue; fi
    check "qpdf --check $name" sh -c "qpdf --check '$pdf' | grep -q 'No syntax or stream encoding errors'"
    check "ghostscript reads $name" sh -c "gs -q -dNOPAUSE -dBATCH -sDEVICE=nullpage '$pdf' 2>&1 | (! grep -qi error)"
    check "pdfinfo clean $name" sh -c "pdfinfo '$pdf' 2>&1 >/dev/null | (! grep -q .)"
    check "fonts embedded, no Type 3 in $name" sh -c "pdffonts '$pdf' | tail -n +3 | awk '{ if (\$0 ~ /Type 3/) exit 1; if (\$(NF-4) != \"yes\") exit 1 }'"
    check "page size is the trim (170x240 mm) in $name" sh -c "pdfinfo '$pdf' | grep -q 'Page size: *481.89 x 680.31[0-9]* pts'"
    check "metadata in $name" sh -c "pdfinfo '$pdf' | grep -q '^Title: *[^ ]' && pdfinfo '$pdf' | grep -q '^Creator: *typeset' && pdfinfo '$pdf' | grep -q '^Tagged: *yes'"
    check "outline in $name" sh -c "qpdf --json --json-key=outlines '$pdf' | grep -q '\"title\"'"
    title=$(sed -n 's/^title: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$src" | head -n 1 | cut -c1-40)
    check "title text in $name" has "$pdf" "$title"
done

S=$OUT/kireeva-2022.pdf
if [ -f "$S" ]; then
    check "seed: DOI" has "$S" "10.24833/RJWPLN-2022-1-2-98-130"
    check "seed: author" has "$S" "Kireeva"
    check "seed: affiliation" has "$S" "MGIMO University"
    check "seed: reference 1" has "$S" "Russia and China: A New Model of Great-Power Relations"
    check "seed: reference 44 (Chinese transliteration)" has "$S" "Elousi dongbu kaifa"
    check "seed: reference 62" has "$S" "Russia’s Far East Seeks Partners Beyond China"
    check "seed: journal" has "$S" "Russian Journal of World Politics and Law of Nations"
    check "seed: ISSN" has "$S" "2949-6322"
    check "seed: for citations with the page range" sh -c "txt() { pdftotext '$S' - | tr '\n' ' '; }; txt | grep -qE '2022;1\(1-2\): ?98.1[0-9][0-9]'"
    check "seed: licence" has "$S" "Creative Commons Attribution 4.0"
    check "seed: 62 references numbered" has "$S" "62."
    check "seed: DOI link" sh -c "qpdf --qdf --object-streams=disable '$S' - 2>/dev/null | grep -a -q 'doi.org/10.1080/00396338.2017.1282670110'"
    check "seed: first page is 98" sh -c "pdfinfo -f 1 -l 1 '$S' >/dev/null && qpdf --json --json-key=pagelabels '$S' | grep -q '\"/St\": 98'"
fi
R=$OUT/ru-article.pdf
if [ -f "$R" ]; then
    check "russian labels extract" sh -c "pdftotext '$R' - | grep -q 'Аннотация' && pdftotext '$R' - | grep -q 'Список литературы'"
    check "russian body phrase extracts exactly" has "$R" "Северный морской путь"
    check "russian reference extracts exactly" has "$R" "Кодекса торгового мореплавания"
fi
Z=$OUT/zh-article.pdf
if [ -f "$Z" ]; then
    check "chinese labels extract" sh -c "pdftotext '$Z' - | grep -q '摘要' && pdftotext '$Z' - | grep -q '参考文献'"
    check "chinese body phrase extracts exactly" sh -c "pdftotext '$Z' - | tr -d '\n' | grep -q '金砖国家应急储备安排'"
    check "chinese uses Noto Serif CJK SC" sh -c "pdffonts '$Z' | grep -q 'NotoSerifCJK'"
    # kinsoku: no extracted line starts with closing punctuation
    check "chinese: no line starts with closing punctuation" sh -c "! python3 tests/pdflines.py '$Z' | grep -q '^[。，、；：？！）」』》〉】]'"
    check "chinese: no line ends with opening punctuation" sh -c "! python3 tests/pdflines.py '$Z' | grep -q '[（「『《〈【]\$'"
fi
E=$OUT/en-article.pdf
[ -f "$E" ] && check "english: ligatures extract as letters" sh -c "! pdftotext '$E' - | grep -q 'ﬁ\|ﬂ'"

# ---- commands, options, output handling -------------------------------------------
check "--version" sh -c "$TS --version | grep -q '^typeset [0-9]'"
check "--help exits 0" $TS --help
check "no arguments: usage error 2" sh -c "$TS; test \$? -eq 2"
check "unknown command: 2" sh -c "$TS frobnicate x.md 2>/dev/null; test \$? -eq 2"
check "unknown option: 2" sh -c "$TS build --frob samples/en-article.md 2>/dev/null; test \$? -eq 2"
check "style-keys and fonts take no file: 2" sh -c "$TS style-keys extra 2>/dev/null; test \$? -eq 2 && { $TS fonts x.md 2>/dev/null; test \$? -eq 2; }"
check "fonts lists PT Serif and Noto CJK SC" sh -c "$TS fonts | grep -q 'PTF55F.ttf' && $TS fonts | grep -q 'NotoSerifCJK'"
check "check writes nothing" sh -c "$TS check samples/en-article.md && test ! -e samples/en-article.pdf"
check "second style: A4" sh -c "$TS build samples/en-article.md --style a4-sans -o $OUT/a4.pdf && pdfinfo $OUT/a4.pdf | grep -q 'Page size: *595.2[0-9]* x 841.8[0-9]* pts'"
check "reproducible with SOURCE_DATE_EPOCH" sh -c "$TS build samples/ru-article.md -o $OUT/r1.pdf && $TS build samples/ru-article.md -o $OUT/r2.pdf && cmp -s $OUT/r1.pdf $OUT/r2.pdf"
check "--first-page sets folios" sh -c "$TS build samples/en-article.md --first-page 7 -o $OUT/fp.pdf && qpdf --json --json-key=pagelabels $OUT/fp.pdf | grep -q '\"/St\": 7'"
printf -- '---\ntitle: T\nreferences:\n  - id: a\n    text: A.\n---\nSee [@a; @nokey].\n' > $OUT/warn.md
check "unknown citation is a warning, exit 0" sh -c "$TS build $OUT/warn.md -o $OUT/warn.pdf 2>$OUT/warn.err && grep -q \"warn.md:7:[0-9]*: warning: unknown reference 'nokey'\" $OUT/warn.err"
check "--strict makes it an error, no output" sh -c "rm -f $OUT/warn2.pdf; $TS build --strict $OUT/warn.md -o $OUT/warn2.pdf 2>/dev/null; test \$? -eq 1 && test ! -e $OUT/warn2.pdf"
check "--strict prints each warning as an error" sh -c "$TS check --strict $OUT/warn.md 2>&1 | grep -q ': error: ' && ! $TS check --strict $OUT/warn.md 2>&1 | grep -q ': warning: '"
check "unknown citation prints [?]" sh -c "pdftotext $OUT/warn.pdf - | grep -qF '[1, ?]'"
echo keep > $OUT/keep.pdf
printf -- '---\ntitle: [broken\n---\n' > $OUT/broken.md
check "failed build leaves the existing output untouched" sh -c "$TS build $OUT/broken.md -o $OUT/keep.pdf 2>/dev/null; test \$? -eq 1 && test \"\$(cat $OUT/keep.pdf)\" = keep"
check "no temporary files left" sh -c "! ls $OUT | grep -q 'keep.pdf.'"

# ---- more end-to-end checks, one file per feature (they use ok/bad/check/has) ----
for f in tests/e2e/*.sh; do
    [ -f "$f" ] || continue
    . "$f"
done

# ---- the bad-input corpus ------------------------------------------------------------
GEN=$OUT/gen
mkdir -p "$GEN"
[ -x tests/bad/gen.sh ] && sh tests/bad/gen.sh "$GEN" >/dev/null 2>&1
if [ -f tests/bad/EXPECT ]; then
    TAB=$(printf '\t')
    while IFS="$TAB" read -r file want regex; do
        case "$file" in ''|'#'*) continue ;; esac
        case "$file" in
            GEN:*) f=$GEN/${file#GEN:}; args="build $f -o $OUT/bad-out.pdf" ;;
            STYLE:*) f=tests/bad/styles/${file#STYLE:}; args="build samples/en-article.md --style $f -o $OUT/bad-out.pdf" ;;
            ISSUE:*) f=tests/bad/issues/${file#ISSUE:}; args="issue $f -o $OUT/bad-issue -q" ;;
            *) f=tests/bad/$file; args="build $f -o $OUT/bad-out.pdf" ;;
        esac
        [ -e "$f" ] || [ "${file#STYLE:}" != "$file" ] || { bad "bad input $file: missing"; continue; }
        rm -rf "$OUT/bad-out.pdf" "$OUT/bad-issue"
        # shellcheck disable=SC2086
        timeout "$BAD_TIMEOUT" sh -c "${BAD_ULIMIT_V:+ulimit -v $BAD_ULIMIT_V; }exec $TS $args" >"$OUT/bad.out" 2>"$OUT/bad.err"
        got=$?
        if [ "$want" = any ]; then
            if [ $got -le 1 ]; then ok "bad input $file (exit $got)"; else bad "bad input $file: exit $got (crash or timeout)"; fi
        elif [ "$got" -ne "$want" ]; then
            bad "bad input $file: exit $got, want $want: $(head -n 2 "$OUT/bad.err")"
        elif [ "$got" -ne 0 ] && { [ -e "$OUT/bad-out.pdf" ] || [ -e "$OUT/bad-issue/issue.pdf" ]; }; then
            bad "bad input $file: failed but wrote a PDF"
        elif [ -n "$regex" ] && ! grep -qE -- "$regex" "$OUT/bad.err"; then
            bad "bad input $file: stderr does not match /$regex/: $(head -n 2 "$OUT/bad.err")"
        else
            ok "bad input $file"
        fi
    done < tests/bad/EXPECT
    check "bad inputs leave no PDF behind" sh -c "! ls tests/bad/*.pdf $GEN/*.pdf 2>/dev/null | grep -q ."
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
