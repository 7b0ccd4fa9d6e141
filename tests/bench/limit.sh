#!/bin/sh
# tests/bench/limit.sh — what two processors can give the issue build on this
# machine, measured at the same moments as `typeset issue -j 2` itself, so
# that its speed-up (issue.sh) has something to be read against:
#   - a loop that touches no memory, alone and two at once: whether the
#     processors themselves slow each other;
#   - the whole -j 1 build, alone and two copies at once: how much slower
#     this work runs beside itself (its own helper threads and the kernel's
#     writeback compete for the processors too, and memory, caches and the
#     kernel's locks are shared; the two are not told apart here); 2 over
#     that is what two processors give it if the threads of one process
#     slow each other as two copies do, with nothing done twice and nothing
#     serial;
#   - the issue cut into two halves (articles dealt by the time each takes
#     built alone, longest first to the lighter half), each built as an issue of its own
#     with -j 1, alone and both at once: the speed-up two independent
#     processes give, nothing shared at all (each pays its own start,
#     fonts, cover and contents);
#   - `typeset issue -j 2`.
# Each in turn with the others, REPS times (7), medians printed.  A
# benchmark, not a test: it prints and never fails on the figures.  Run from
# the repository root.
set -u
. tests/bench/corpus.sh
OUT=build/bench/limit
REPS=${REPS:-7}
bench_ready limit
export SOURCE_DATE_EPOCH=1700000000
case $REPS in '' | *[!0-9]* | 0) echo "limit: REPS must be a number above 0, skipped"; exit 0 ;; esac

rm -rf "$OUT"
mkdir -p "$OUT"
cp -r "$CORPUS/src" "$OUT/src"
M=$OUT/src/issue.yaml
# the halves need a flat list of articles, one "  - PATH" line each
if grep -q '^sections:' "$M" || ! grep -q '^articles: *$' "$M"; then
    echo "limit: $M has no flat, block-style articles list, skipped"; exit 0
fi

now() { date +%s.%N; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) * 1000 }'; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# the builds and loops started and not yet waited for: stopped with the
# script (a non-interactive shell's background jobs ignore SIGINT)
pids=""
trap 'kill $pids 2>/dev/null; exit 0' INT TERM
# start MANIFEST OUTDIR [J]: one build in the background (-j 1 unless J);
# OUTDIR is removed beforehand by the caller, outside the timing
start() {
    $TS issue "$1" -o "$2" -j "${3:-1}" --quiet >/dev/null 2>"$2.log" &
    pids="$pids $!"
}
spin() { "$OUT/spin" & pids="$pids $!"; }
# waits for what was started; a build that failed leaves $OUT/failed
wait_all() {
    for p in $pids; do wait "$p" || : >"$OUT/failed"; done
    pids=""
}
# timed CMD...: runs CMD (which starts things), waits for them; wall ms in T
timed() { t0=$(now); "$@"; wait_all; t1=$(now); T=$(ms "$t0" "$t1"); }
pair() { start "$1" "$2"; start "$3" "$4"; }    # pair M1 OUT1 M2 OUT2
spins() { spin; spin; }
failed() {
    [ -e "$OUT/failed" ] || return 1
    echo "limit: a build failed (see $OUT/*.log), no figures"
    return 0
}
# a loop that touches no memory (registers only), compiled here
printf '%s\n' 'int main(void) { unsigned long s = 0; for (unsigned long i = 0; i < 200000000UL; i++)' \
    '__asm__ volatile("" : "+r"(s) : "r"(i)); return s == 1; }' >"$OUT/spin.c"
${CC:-cc} -O1 -o "$OUT/spin" "$OUT/spin.c" 2>/dev/null || rm -f "$OUT/spin"

# the halves: each article built alone as an issue of its own (the best of
# three), then dealt, the longest first, to the half with less time so far
# (even by those times only: each such build pays its own start).  The
# manifest's other keys are kept, its article list replaced.
head=$(awk '/^articles: *$/ { skip = 1; next } skip && /^  - / { next } { skip = 0; print }' "$M")
grep '^  - ' "$M" | sed 's/^  - //' | while IFS= read -r art; do
    { printf '%s\narticles:\n  - %s\n' "$head" "$art"; } >"$OUT/src/only.yaml"
    best=""
    for k in 1 2 3; do
        rm -rf "$OUT/only"
        timed start "$OUT/src/only.yaml" "$OUT/only"
        best="$best $T"
    done
    printf '%s\t%s\n' "$(echo "$best" | tr ' ' '\n' | grep . | sort -n | head -1)" "$art"
done | sort -rn | awk -F '\t' '{ if (a <= b) { a += $1; print "A\t" $2 } else { b += $1; print "B\t" $2 } }' >"$OUT/deal"
failed && exit 0
if ! grep -q '^A' "$OUT/deal" || ! grep -q '^B' "$OUT/deal"; then
    echo "limit: fewer than two articles, no halves, skipped"; exit 0
fi
for h in A B; do
    { printf '%s\narticles:\n' "$head"; grep "^$h" "$OUT/deal" | cut -f2 | sed 's/^/  - /'; } >"$OUT/src/half$h.yaml"
done

spin1="" spin2="" one="" two="" ha="" hb="" both="" j2=""
i=1
while [ $i -le $REPS ]; do
    if [ -x "$OUT/spin" ]; then
        timed spin; spin1="$spin1 $T"
        timed spins; spin2="$spin2 $T"
    fi
    rm -rf "$OUT/one"
    timed start "$M" "$OUT/one"; one="$one $T"
    rm -rf "$OUT/one" "$OUT/two"
    timed pair "$M" "$OUT/one" "$M" "$OUT/two"; two="$two $T"
    rm -rf "$OUT/a"
    timed start "$OUT/src/halfA.yaml" "$OUT/a"; ha="$ha $T"
    rm -rf "$OUT/b"
    timed start "$OUT/src/halfB.yaml" "$OUT/b"; hb="$hb $T"
    rm -rf "$OUT/a" "$OUT/b"
    timed pair "$OUT/src/halfA.yaml" "$OUT/a" "$OUT/src/halfB.yaml" "$OUT/b"; both="$both $T"
    rm -rf "$OUT/j2"
    timed start "$M" "$OUT/j2" 2; j2="$j2 $T"
    i=$((i + 1))
done
failed && exit 0
s1=$(echo "$spin1" | median); s2=$(echo "$spin2" | median)
o=$(echo "$one" | median); w=$(echo "$two" | median)
a=$(echo "$ha" | median); b=$(echo "$hb" | median); p=$(echo "$both" | median)
t2=$(echo "$j2" | median)
echo "limit: $(nproc) processors; medians of $REPS, each measure in turn with the others"
[ -x "$OUT/spin" ] && awk -v a="$s1" -v b="$s2" 'BEGIN { printf "limit: a loop touching no memory: %s ms alone, %s ms two at once (%.3fx)\n", a, b, b / a }'
awk -v a="$o" -v b="$w" 'BEGIN { printf "limit: the -j 1 build: %s ms alone, %s ms two copies at once (%.3fx as long): 2 over that is %.2fx\n", a, b, b / a, 2 * a / b }'
echo "limit: halves: $(grep -c '^A' "$OUT/deal") articles ($(grep '^A' "$OUT/deal" | cut -f2 | paste -sd' ')) and $(grep -c '^B' "$OUT/deal") ($(grep '^B' "$OUT/deal" | cut -f2 | paste -sd' '))"
awk -v o="$o" -v a="$a" -v b="$b" -v p="$p" -v t2="$t2" 'BEGIN {
    m = a > b ? a : b
    printf "limit: halves alone %s and %s ms (together %.1f, the whole %s), both at once %s ms\n", a, b, a + b, o, p
    printf "limit: two independent processes, nothing shared: %.2fx the whole -j 1 build (%.2fx were neither slowed by the other; %.2fx were the cut even too)\n", o / p, o / m, 2 * o / (a + b)
    printf "limit: typeset issue -j 2, the same moments: %s ms, %.2fx\n", t2, o / t2
}'
exit 0
