#!/bin/sh
# tests/bench/watch.sh — how long `typeset watch` takes to rebuild a ~20-page
# article after a change (the corpus's 01-article.md, 23 pages): starts watch on
# a copy, touches or edits the copy 10 times, one change after each rebuild,
# and reports the median of the times watch prints ("rebuilt … in N ms").  The
# target is < 150 ms.  A benchmark, not a test: it prints and never fails on the
# figures.  Run from the repository root.
set -u
. tests/bench/corpus.sh
OUT=build/bench/watch
N=10
bench_ready watch
rm -rf "$OUT"
mkdir -p "$OUT"
cp "$CORPUS/src/01-article.md" "$OUT/article.md"

timeout 300 $TS watch "$OUT/article.md" -o "$OUT/article.pdf" --max-rebuilds $N \
    >"$OUT/log" 2>"$OUT/err" &
pid=$!

# the number of builds watch has reported so far
builds() { c=$(grep -cE '^(built|rebuilt|failed) ' "$OUT/log" 2>/dev/null); echo "${c:-0}"; }
# waits (up to 30 s) until watch has reported $1 builds
wait_lines() {
    i=0
    while [ "$(builds)" -lt "$1" ] && [ $i -lt 300 ]; do
        sleep 0.1; i=$((i + 1))
    done
}

wait_lines 1
k=1
while [ $k -le $N ]; do
    if [ $((k % 2)) -eq 1 ]; then
        touch "$OUT/article.md"
    else
        # a real edit: a one-word paragraph at the end of the body, before the notes
        sed -i '0,/^\[\^1\]:/s/^\(\[\^1\]:\)/word\n\n\1/' "$OUT/article.md"
    fi
    wait_lines $((k + 1))
    k=$((k + 1))
done
wait $pid 2>/dev/null

pages=$(sed -n 's/^built .*(\([0-9]*\) pages.*/\1/p' "$OUT/log")
first=$(sed -n 's/^built .* in \([0-9]*\) ms.*/\1/p' "$OUT/log")
times=$(sed -n 's/^rebuilt .* in \([0-9]*\) ms.*/\1/p' "$OUT/log" | sort -n)
n=$(printf '%s\n' "$times" | grep -c .)
if [ "$n" -eq 0 ]; then
    echo "watch: no rebuilds seen; log:"; head -n 5 "$OUT/log" "$OUT/err"; exit 0
fi
median=$(printf '%s\n' "$times" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
echo "== watch: rebuild of a ${pages:-?}-page article after a change (the first build took ${first:-?} ms)"
echo "   $n rebuilds, median $median ms, min $(printf '%s\n' "$times" | head -n 1) ms, max $(printf '%s\n' "$times" | tail -n 1) ms (target < 150 ms)"
