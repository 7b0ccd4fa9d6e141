#!/bin/sh
# seed.sh — rewrites the committed seed corpus tests/fuzz/corpus/<harness>/ from
# samples/, styles/ and tests/bad/ (run from the repository root; deterministic).
# Files the fuzzers found (crash-*, named for what they test) are kept: they
# live in corpus/<harness>/found-* and are never rewritten.  Small files only:
# the samples are cut into pieces of at most a few KB.
set -eu
C=tests/fuzz/corpus
for h in frontmatter markdown style build manifest pdfcat; do
    mkdir -p "$C/$h"
    find "$C/$h" -name 'seed-*' -delete
done

# front matter of each sample (up to its closing ---) and the bad inputs
for s in samples/*.md; do
    n=$(basename "$s" .md)
    awk 'NR == 1 || !done { print } NR > 1 && /^---/ { done = 1 }' "$s" >"$C/frontmatter/seed-$n.md"
done
for f in tests/bad/*.md; do cp "$f" "$C/frontmatter/seed-bad-$(basename "$f")"; done

# Markdown bodies cut at blank lines into pieces of about 3 KB, plus features
for s in samples/*.md; do
    n=$(basename "$s" .md)
    awk -v out="$C/markdown/seed-$n" '
        NR > 1 && !body { if (/^---/) body = 1; next }
        body {
            buf = buf $0 "\n"
            if ($0 == "" && length(buf) > 3000) { printf "%s", buf > (out "-" ++k ".md"); buf = "" }
        }
        END { if (buf != "") printf "%s", buf > (out "-" ++k ".md") }' "$s"
done
cat >"$C/markdown/seed-features.md" <<'MD'
# Heading one

## Heading *two* with `code`

Text with *emphasis*, **strong**, ~~strike~~, `code`, a [link](https://example.org),
<https://example.org/auto>, a citation [@a], two [@a; @b], an unknown one [@zz],
a footnote[^1] and a hard
break.

> A quote
> > nested, with a list:
> > - one
> > - two

1. First
   - nested bullet
     1. deeper
2. Second

    indented code

```c
fenced code
```

| Left | Right | Centre |
|:-----|------:|:------:|
| a    | 1     | x      |
| b    | 2     |

![A caption](missing.png)

---

[^1]: The footnote, with *emphasis* and a citation [@b].
MD

# styles
for f in styles/*.yaml tests/bad/styles/*.yaml; do
    cp "$f" "$C/style/seed-$(basename "$(dirname "$f")")-$(basename "$f")"
done

# whole small articles: the bad inputs, and each sample's front matter with
# the first piece of its body
for f in tests/bad/*.md; do cp "$f" "$C/build/seed-bad-$(basename "$f")"; done
for s in samples/*.md; do
    n=$(basename "$s" .md)
    body=$C/markdown/seed-$n-1.md
    [ -f "$body" ] || body=/dev/null        # kireeva-2022 is all front matter
    cat "$C/frontmatter/seed-$n.md" "$body" >"$C/build/seed-$n.md"
done
# the block fixtures of tests/e2e/blocks.sh (code, hard breaks, citations
# with locators, quotes, ties, tables), whole; their bodies for markdown
for f in tests/blocks/*.md; do
    cp "$f" "$C/build/seed-blocks-$(basename "$f")"
    awk 'NR > 1 && !body { if (/^---/) body = 1; next } body' "$f" >"$C/markdown/seed-blocks-$(basename "$f")"
done
{ printf -- '---\ntitle: Features\nreferences:\n  - {id: a, text: "A."}\n  - {id: b, text: "B."}\n---\n'
  cat "$C/markdown/seed-features.md"; } >"$C/build/seed-features.md"

# issue manifests: the sample and a few broken ones (as tests/e2e/issue.sh has)
cp samples/issue.yaml "$C/manifest/seed-issue.yaml"
printf 'journal: J\narticles:\n  - en-article.md\n  - missing-one.md\n' >"$C/manifest/seed-missing.yaml"
printf 'journal: J\ncolour: red\narticles: [en-article.md]\n' >"$C/manifest/seed-unknown-key.yaml"
printf 'journal: &j J\nissn: *j\narticles: [en-article.md]\n' >"$C/manifest/seed-alias.yaml"
printf 'articles: [en-article.md, en-article.md, ru-article.md]\nfirst_page: -3\n' >"$C/manifest/seed-twice.yaml"
printf 'sections:\n  - title: A\n    articles: [zh-article.md]\n  - articles: []\ncover_title: [x, y]\n' >"$C/manifest/seed-sections.yaml"

# PDFs in the shape the PDF readers know: small articles as typeset writes
# them (its own writer's final file, typeset/pdfpaint.c), as Cairo paints
# them with the post-pass appended (TYPESET_PAINTER=cairo), and Cairo's file
# alone (the bytes up to its first %%EOF)
[ -x build/typeset ] || make build/typeset >/dev/null
for f in title breaks email ties-ru; do
    SOURCE_DATE_EPOCH=1700000000 ./build/typeset build "tests/blocks/$f.md" -o "$C/pdfcat/seed-$f.pdf" 2>/dev/null
    rm -f "$C/pdfcat/seed-$f-own.pdf"
    SOURCE_DATE_EPOCH=1700000000 TYPESET_PAINTER=cairo ./build/typeset build "tests/blocks/$f.md" \
        -o "$C/pdfcat/seed-$f-cairo-post.pdf" 2>/dev/null
    eof=$(grep -abo '%%EOF' "$C/pdfcat/seed-$f-cairo-post.pdf" | head -n 1 | cut -d: -f1)
    head -c $((eof + 6)) "$C/pdfcat/seed-$f-cairo-post.pdf" >"$C/pdfcat/seed-$f-cairo.pdf"
done

# damaged: SEED cut to half its length (DIR/seed-half.EXT), and with one
# byte changed in each tenth of it (DIR/seed-byte-K.EXT)
damaged() { # damaged SEED DIR EXT
    n=$(wc -c <"$1")
    head -c $((n / 2)) "$1" >"$2/seed-half.$3"
    for k in 1 2 3 4 5 6 7 8 9; do
        cp "$1" "$2/seed-byte-$k.$3"
        printf '\377' | dd of="$2/seed-byte-$k.$3" bs=1 seek=$((n * k / 10)) conv=notrunc 2>/dev/null
    done
}

# harness_seeds NAME VAR SEED EXT: the seeds harness NAME writes itself
# (into the directory its environment variable VAR names; built by `make
# fuzz-build` or `make fuzz-replay-cc`), then damaged copies of its SEED
harness_seeds() {
    _h=$(ls "build/fuzz/fuzz_$1" "build/replay/replay_$1" 2>/dev/null | head -n 1)
    if [ -z "$_h" ]; then
        echo "seed.sh: no $1 harness built (make fuzz-build): corpus/$1 left as it is" >&2
        return 0
    fi
    mkdir -p "$C/$1"
    find "$C/$1" -name 'seed-*' -delete
    env ASAN_OPTIONS=detect_leaks=0 "$2=$C/$1" "./$_h"
    damaged "$C/$1/$3" "$C/$1" "$4"
}

# set paragraphs as an issue build leaves them (layout/paraio.c): the export
# of fuzz_paraio's own input, written by the harness (from `make fuzz-build`
# or `make fuzz-replay-cc`), then damaged copies
harness_seeds paraio TYPESET_PARAIO_SEED seed-export.paras paras

# the index an issue build keeps of an article's PDF (typeset/pdfcatindex.c),
# of fuzz_pcx's own PDF, and edits of it, written by the harness, then
# damaged copies of the index
harness_seeds pcx TYPESET_PCX_SEED seed-breaks-cairo-post.pcx pcx

# the issue cache's pack (typeset/issuecache.c): the samples issue's, as a
# build leaves it, cut to its small records, and with one PDF index; and
# hand-made ones (escapes, stamps early and late, a record twice, a wrong count)
mkdir -p "$C/pack"
find "$C/pack" -name 'seed-*' -delete
_o=$(mktemp -d)
SOURCE_DATE_EPOCH=1700000000 ./build/typeset issue samples/issue.yaml -o "$_o" -q 2>/dev/null
_p=$(ls "$_o"/.cache/*.pack | head -n 1)
# (each record's time of writing set to one, for the same seeds every run)
sed -E '1d;$d;s/^([^ ]+) [0-9]+ /\1 1700000000 /' "$_p" >"$_o/all"
{ head -n 1 "$_p"; grep -av '\.pcx ' "$_o/all" >"$_o/lines"; cat "$_o/lines"; echo "end $(wc -l <"$_o/lines")"; } \
    >"$C/pack/seed-samples.pack"
{ head -n 1 "$_p"; grep -a '\.pcx ' "$_o/all" | head -n 1; echo "end 1"; } >"$C/pack/seed-samples-pcx.pack"
rm -rf "$_o"
printf 'typeset cache pack 1\nk1.doc 1700000000 - typeset document 1\\nimage a\\\\b.png\\nend\\n\nk2 1700000001 1699999999.123456789 typeset issue cache 2\\npdf 0000000000000000000000000000000000000000000000000000000000000000\\nend\\n\nk2 1700000000 - older\nk3 1700000000 1900000000.000000000 from the future\nend 4\n' \
    >"$C/pack/seed-hand.pack"
printf 'typeset cache pack 1\nk1 1 - one\nend 2\n' >"$C/pack/seed-count.pack"
