# tests/e2e/linebreak.sh — line breaking end to end: the line report, no
# overfull line in any sample, kinsoku in Chinese at several measures.
# Sourced by tests/run.sh (ok, bad, check, has, $TS, $OUT).

for src in samples/*.md; do
    name=$(basename "$src" .md)
    rep=$OUT/$name.report.json
    if $TS build "$src" -o "$OUT/$name.rep.pdf" --report "$rep" 2>/dev/null &&
        python3 -c "import json,sys; d=json.load(open(sys.argv[1])); s=d['summary']; sys.exit(0 if s['lines']>0 and s['overfull']==0 and all(l['overfull_pt']==0 for p in d['paragraphs'] for l in p['lines']) else 1)" "$rep"
    then ok "report: no overfull line in $name"
    else bad "report: overfull lines (or no report) in $name"; fi
done
check "report: lines carry ratios and source lines" python3 -c "
import json; d=json.load(open('$OUT/en-article.report.json'))
ls=[l for p in d['paragraphs'] for l in p['lines']]
assert any(l['ratio']>0 for l in ls) and any(l['ratio']<0 for l in ls)
assert all(l['source_line']>0 for l in ls)
assert sum(l['hyphenated'] for l in ls)==d['summary']['hyphenated']"

# Chinese at several measures: no line starts with closing punctuation and none
# ends with opening punctuation (clreq kinsoku), whatever the width.
for m in 20 27 33 41; do
    st=$OUT/zh-$m.yaml
    sed "s/^\(  margin_inner:\).*/\1 ${m}mm/; s/^\(  margin_outer:\).*/\1 ${m}mm/" styles/rjwpln.yaml > "$st"
    pdf=$OUT/zh-$m.pdf
    if $TS build samples/zh-article.md --style "$st" -o "$pdf" 2>/dev/null &&
        ! python3 tests/pdflines.py "$pdf" | grep -q '^[。，、；：？！）」』》〉】]' &&
        ! python3 tests/pdflines.py "$pdf" | grep -q '[（「『《〈【]$'
    then ok "kinsoku holds at margins of $m mm"
    else bad "kinsoku broken (or build failed) at margins of $m mm"; fi
done
check "the line-end hyphen extracts as '-' and the word rejoins" sh -c "pdftotext -raw '$OUT/en-article.pdf' - | grep -q '[a-z]-\$'"
