# tests/e2e/print.sh — print-ready output: page boxes with --bleed and
# --marks, links that move with the trim, reproducible bytes.
# Sourced by tests/run.sh (ok, bad, check, has, $TS, $OUT).

BP=$OUT/bleed.pdf
if $TS build samples/en-article.md --bleed 3 --marks -o "$BP" 2>/dev/null; then
    check "print: TrimBox is the trim, BleedBox 3 mm beyond, MediaBox beyond that" python3 -c "
import re, subprocess
t = subprocess.run(['pdfinfo', '-box', '-f', '1', '-l', '99', '$BP'], capture_output=True, text=True).stdout
def box(name):
    return [tuple(map(float, m.groups())) for m in re.finditer(name + r':\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)', t)]
trim, bleed, media = box('TrimBox'), box('BleedBox'), box('MediaBox')
assert len(trim) > 1 and len(trim) == len(bleed) == len(media)
b = 3 * 72 / 25.4
for (tx0, ty0, tx1, ty1), (bx0, by0, bx1, by1), (mx0, my0, mx1, my1) in zip(trim, bleed, media):
    assert abs((tx1 - tx0) - 481.89) < 0.05 and abs((ty1 - ty0) - 680.31) < 0.05
    assert abs(tx0 - bx0 - b) < 0.05 and abs(bx1 - tx1 - b) < 0.05 and abs(ty0 - by0 - b) < 0.05
    assert mx0 < bx0 - 20 and mx1 > bx1 + 20 and my1 > by1 + 20"
    check "print: qpdf and Ghostscript accept the bleed PDF" sh -c "qpdf --check '$BP' | grep -q 'No syntax or stream encoding errors' && ! gs -q -dNOPAUSE -dBATCH -sDEVICE=nullpage '$BP' 2>&1 | grep -qi error"
    check "print: link rectangles move with the trim" python3 -c "
import re, subprocess
q = subprocess.run(['qpdf', '--qdf', '--object-streams=disable', '$BP', '-'], capture_output=True).stdout.decode('latin-1')
rects = [tuple(map(float, m.groups())) for m in re.finditer(r'/Rect \[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)', q)]
assert rects and all(r[0] >= 36 and r[2] <= 519 for r in rects), rects[:3]"
else
    bad "print: build with --bleed 3 --marks failed"
fi
check "print: --bleed without --marks: BleedBox = MediaBox" sh -c "$TS build samples/ru-article.md --bleed 5 -o $OUT/bleed5.pdf && pdfinfo -box $OUT/bleed5.pdf | awk '/MediaBox/ {m=\$0} /BleedBox/ {b=\$0} END {sub(/.*Box: */, \"\", m); sub(/.*Box: */, \"\", b); exit !(m == b)}'"
check "print: a bad --bleed is a usage error" sh -c "$TS build samples/ru-article.md --bleed lots -o $OUT/x.pdf 2>/dev/null; test \$? -eq 2"
check "print: two builds with --bleed are byte-identical" sh -c "$TS build samples/zh-article.md --bleed 3 --marks -o $OUT/z1.pdf && $TS build samples/zh-article.md --bleed 3 --marks -o $OUT/z2.pdf && cmp -s $OUT/z1.pdf $OUT/z2.pdf"
check "print: page labels match the folios" sh -c "$TS build samples/kireeva-2022.md -o $OUT/lab.pdf && qpdf --json --json-key=pagelabels $OUT/lab.pdf | grep -q '\"/St\": 98' && pdftotext -f 2 -l 2 $OUT/lab.pdf - | grep -qx '99'"
check "print: /Lang is set from the article" sh -c "qpdf --qdf --object-streams=disable $OUT/ru-article.pdf - 2>/dev/null | grep -a -q '/Lang (ru)'"
