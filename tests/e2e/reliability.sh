# tests/e2e/reliability.sh — no data loss: an interrupted build leaves neither
# a temporary file nor a partial PDF, a failed or refused build never touches
# the source, and no test run writes to the sources at all.  Sourced by
# tests/run.sh (ok, bad, check, $TS, $OUT).  No timing assertions: where a
# signal lands depends on the machine, so each check states what must hold
# wherever it landed, and the message says where that was.
REL=$OUT/reliability
rm -rf "$REL"
mkdir -p "$REL"

# The samples as they are now; compared at the end of this file.  (Only
# samples/: styles and tests/bad are edited by hand while suites run.)
rel_sums() { find samples -type f -exec sha256sum {} + 2>/dev/null | sort; }
rel_sums >"$REL/sources.before"
touch "$REL/stamp"
sleep 1         # mtimes may have one-second granularity

# A long article (about 1.5 MB, a few hundred pages) so that a build is still
# running when the signal comes.
BIG=$REL/big.md
{
    printf -- '---\ntitle: "A long generated article"\nlang: en\n---\n\n'
    awk 'BEGIN {
        for (i = 1; i <= 2500; i++) {
            if (i % 40 == 1) printf "## Section %d\n\n", (i + 39) / 40
            for (k = 0; k < 6; k++)
                printf "The committee deliberated at length on item %d, and the delegates, weary of procedure, adjourned once more. ", i
            printf "\n\n"
        }
    }'
} >"$BIG"

# rel_leftovers DIR: lists what a build left in DIR besides a complete PDF.
rel_leftovers() {
    for f in "$1"/* "$1"/.[!.]*; do
        [ -e "$f" ] || continue
        case "$f" in
            *.pdf) qpdf --check "$f" >/dev/null 2>&1 || echo "partial PDF $f" ;;
            *) echo "left behind: $f" ;;
        esac
    done
}

# rel_interrupt NAME SIGNAL DELAY_S: builds $BIG into its own directory,
# sends SIGNAL after DELAY_S seconds, and checks what is left.  Killed by the
# signal: nothing at all may be left.  Finished first: only a complete PDF.
rel_interrupt() {
    d=$REL/$1
    mkdir -p "$d"
    # background jobs of a non-interactive shell ignore SIGINT; give it back
    env --default-signal="$2" $TS build "$BIG" -o "$d/big.pdf" 2>"$d.err" &
    pid=$!
    sleep "$3"
    kill -s "$2" $pid 2>/dev/null
    wait $pid 2>/dev/null     # (dash reports the killed job on stderr)
    st=$?
    left=$(rel_leftovers "$d")
    if [ $st -gt 128 ] && [ -z "$left" ] && [ ! -e "$d/big.pdf" ]; then
        ok "$2 during a build: killed (status $st), nothing left behind"
    elif [ $st -eq 0 ] && [ -z "$left" ] && [ -e "$d/big.pdf" ]; then
        ok "$2 during a build: finished first, complete PDF, no temporary file"
    elif [ $st -gt 128 ] && [ -z "$left" ] && [ -e "$d/big.pdf" ]; then
        # the PDF was in place (rel_leftovers checked it whole) when the
        # signal came, during the exit: the output is complete, nothing else
        ok "$2 during a build: killed after the PDF was in place, which is complete"
    else
        bad "$2 during a build: status $st, ${left:-no PDF}"
    fi
}
rel_interrupt term TERM 1
rel_interrupt int INT 1
rel_interrupt hup HUP 0.3

# window_verdict WHAT CAUGHT STATUS LEFT PDF: a build stopped and killed
# while its temporary file was there (CAUGHT not empty) must have left
# nothing (LEFT empty) and no PDF; one whose window was missed, nothing but
# a complete PDF.
window_verdict() {
    if [ -n "$2" ]; then
        if [ "$3" -gt 128 ] && [ -z "$4" ] && [ ! -e "$5" ]; then
            ok "$1: killed, nothing left behind, no PDF"
        else
            bad "$1: status $3, ${4:-a PDF is there}"
        fi
    elif [ -z "$4" ]; then
        ok "$1: (window missed, status $3) nothing but a complete PDF left"
    else
        bad "$1: status $3, $4"
    fi
}

# The dangerous moment: the temporary file exists.  Stop the build as soon as
# it appears, check it is there, then SIGTERM: the handler must remove it.
d=$REL/window
mkdir -p "$d"
$TS build "$BIG" -o "$d/big.pdf" 2>"$d.err" &
pid=$!
caught=
while kill -0 $pid 2>/dev/null; do
    seen=
    for f in "$d"/big.pdf.*; do [ -e "$f" ] && seen=$f; done      # no fork: poll fast
    if [ -n "$seen" ]; then
        kill -STOP $pid
        [ -e "$seen" ] && caught=$seen  # it may have been renamed just before the stop
        kill -TERM $pid
        kill -CONT $pid
        break
    fi
done
wait $pid 2>/dev/null
st=$?
window_verdict "SIGTERM while the temporary file is written" "$caught" $st \
    "$(rel_leftovers "$d")" "$d/big.pdf"

# issue.pdf is written all through its merge (issuemerge.c, write_out) into
# a file with no name (O_TMPFILE) until its commit: even SIGKILL, which no
# handler sees, must leave neither issue.pdf nor a temporary file.  The file
# is caught open in /proc (".../#N (deleted)"), the build stopped and killed.
d=$REL/issue-window
mkdir -p "$d"
$TS issue samples/issue.yaml -o "$d" -j 2 -q 2>"$d.err" &
pid=$!
caught=
# (a named temporary file, as other outputs have, is caught too: it would
# stay)
issue_writing() {
    ls -l /proc/$pid/fd 2>/dev/null | grep -q "$d/#.* (deleted)" ||
        ls -a "$d" | grep -q '^issue\.pdf\.'
}
while kill -0 $pid 2>/dev/null; do
    if issue_writing; then
        kill -STOP $pid
        issue_writing && caught=1
        kill -KILL $pid
        kill -CONT $pid 2>/dev/null
        break
    fi
done
wait $pid 2>/dev/null
st=$?
window_verdict "SIGKILL while issue.pdf is merged" "$caught" $st \
    "$(ls -a "$d" | grep -E '^issue\.pdf\.')" "$d/issue.pdf"

# -o naming the source itself (or another spelling of its path) is refused
# before anything is written.
cp samples/en-article.md "$REL/self.md"
cp "$REL/self.md" "$REL/self.orig"
$TS build "$REL/self.md" -o "$REL/./self.md" >/dev/null 2>"$REL/self.err"
st=$?
if [ $st -eq 1 ] && cmp -s "$REL/self.md" "$REL/self.orig" && grep -q "source file" "$REL/self.err" &&
    ! ls "$REL" | grep -q 'self\.md\.'; then
    ok "-o ARTICLE.md is refused and the source is untouched"
else
    bad "-o ARTICLE.md: status $st, $(head -n 1 "$REL/self.err")"
fi
$TS build "$REL/self.md" -o "$REL/self-r.pdf" --report "$REL/self.md" >/dev/null 2>"$REL/self-r.err"
st=$?
if [ $st -eq 1 ] && cmp -s "$REL/self.md" "$REL/self.orig" && grep -q "report .* source file" "$REL/self-r.err" &&
    [ ! -e "$REL/self-r.pdf" ]; then
    ok "--report ARTICLE.md is refused, the source is untouched and no PDF is written"
else
    bad "--report ARTICLE.md: status $st, $(head -n 1 "$REL/self-r.err")"
fi
ln -s self.md "$REL/link.pdf"
if $TS build "$REL/self.md" -o "$REL/link.pdf" 2>/dev/null && [ ! -L "$REL/link.pdf" ] &&
    cmp -s "$REL/self.md" "$REL/self.orig"; then
    ok "-o at a symlink to the source replaces the link, not the source"
else
    bad "-o at a symlink to the source: the source changed or the build failed"
fi

# The default output path lands beside the source and leaves the source alone.
mkdir -p "$REL/default"
cp samples/ru-article.md "$REL/default/a.md"
if $TS build "$REL/default/a.md" 2>/dev/null && [ -s "$REL/default/a.pdf" ] &&
    cmp -s "$REL/default/a.md" samples/ru-article.md && [ "$(ls "$REL/default" | wc -l)" -eq 2 ]; then
    ok "default output beside the source, source untouched, nothing else written"
else
    bad "default output: $(ls "$REL/default" | tr '\n' ' ')"
fi

# Every sample built and checked once more, then: were any sources written?
for s in samples/*.md; do
    $TS build "$s" -o "$REL/$(basename "$s" .md).pdf" >/dev/null 2>&1
    $TS check "$s" >/dev/null 2>&1
done
rel_sums >"$REL/sources.after"
# run.sh stamps the start of the whole run: no sample may have been written since
since=$OUT/.start
[ -e "$since" ] || since=$REL/stamp
newer=$(find samples -type f -newer "$since" 2>/dev/null | head -n 3)
if cmp -s "$REL/sources.before" "$REL/sources.after" && [ -z "$newer" ]; then
    ok "samples unchanged by the builds: same checksums, no newer mtime"
else
    bad "samples changed during the test run: $(diff "$REL/sources.before" "$REL/sources.after" | head -n 2) $newer"
fi
rm -f "$BIG"
