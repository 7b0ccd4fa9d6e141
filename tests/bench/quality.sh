#!/bin/sh
# tests/bench/quality.sh — line quality on the benchmark corpus and the samples,
# measured with ../shared/bench/linequality.py (the same measure the peers were
# scored with).  A benchmark, not a test: it prints the table and never fails
# on the figures.  Usage: tests/bench/quality.sh [STYLE]
set -u
. tests/bench/corpus.sh
STYLE=${1:-rjwpln}
OUT=build/bench/quality
bench_ready quality
[ -f "$BENCH/linequality.py" ] || { echo "quality: $BENCH/linequality.py not found, skipped"; exit 0; }
mkdir -p "$OUT/corpus-pdf" "$OUT/samples-pdf"
for f in "$CORPUS"/src/*.md; do
    $TS build "$f" --style "$STYLE" -o "$OUT/corpus-pdf/$(basename "$f" .md).pdf" 2>>"$OUT/warnings.log" || echo "quality: $f failed"
done
qpdf --empty --pages "$OUT"/corpus-pdf/*.pdf -- "$OUT/corpus.pdf"
for f in samples/*.md; do
    $TS build "$f" --style "$STYLE" -o "$OUT/samples-pdf/$(basename "$f" .md).pdf" 2>>"$OUT/warnings.log"
done
qpdf --empty --pages "$OUT"/samples-pdf/*.pdf -- "$OUT/samples.pdf"
echo "== line quality, generated corpus ($(pdfinfo "$OUT/corpus.pdf" | awk '/^Pages/ {print $2}') pages, style $STYLE)"
python3 "$BENCH/linequality.py" "$OUT/corpus.pdf" | sed -n '1,5p'
echo "   targets (LuaLaTeX + microtype): en overfull 0, loose <= 0.5 %, tight <= 0.7 %, hyphenated <= 2.0 %, run <= 1"
echo "                                   ru overfull 0, loose <= 0.2 %, tight <= 1.5 %, hyphenated <= 23 %, run <= 3"
echo "                                   zh overfull 0, loose <= 0.3 %"
echo "== line quality, samples"
python3 "$BENCH/linequality.py" "$OUT/samples.pdf" | sed -n '1,5p'
echo "   typeset's own warnings: $(grep -c 'overfull' "$OUT/warnings.log") overfull, $(grep -c 'underfull' "$OUT/warnings.log") underfull"
rm -f "$OUT/warnings.log"
