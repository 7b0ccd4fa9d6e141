# tests/e2e/preview.sh — typeset preview (PNG pages, --pages, --frames,
# --contact-sheet), typeset build --frames and typeset watch.  Sourced by
# tests/run.sh, which defines ok/bad/check/has, $TS and $OUT and has built the
# samples into $OUT/*.pdf.  PNGs are read with a small zlib-based reader
# (python3, no extra packages); every pixel check is also run on a page drawn
# without --frames, where it must fail, so the checks can fail.
PV=$OUT/preview
rm -rf "$PV"
mkdir -p "$PV"

# ---- a PNG reader: size, and pixel checks ------------------------------------------
cat >"$PV/probe.py" <<'EOF'
"""probe.py FILE CHECK...: prints "PASS name" or "FAIL name: why" per check.
A check is one argument, NAME:KIND:NUMBERS (comma-separated):
  size:W,H                      the image is W x H pixels
  px:X,Y,R,G,B,TOL              pixel (X, Y) within TOL of (R, G, B) per channel
  col:X,Y0,Y1,R,G,B,TOL,PCT     at least PCT % of column X, rows Y0..Y1-1, match
  area:X0,Y0,X1,Y1,R,G,B,TOL,N  at least N pixels of the rectangle match"""
import struct, sys, zlib

def header(data):
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    return struct.unpack('>IIBB', data[16:26])

def add_bytes(x, y, n):
    """x + y per byte, mod 256, on whole rows at once (no carries between bytes)."""
    lo, hi = int.from_bytes(b'\x7f' * n, 'big'), int.from_bytes(b'\x80' * n, 'big')
    a, b = int.from_bytes(x, 'big'), int.from_bytes(y, 'big')
    return bytearray((((a & lo) + (b & lo)) ^ ((a ^ b) & hi)).to_bytes(n, 'big'))

def decode(data):
    w, h, depth, ctype = header(data)
    assert depth == 8 and ctype in (2, 6), 'unsupported PNG type'
    bpp = 3 if ctype == 2 else 4
    pos, idat = 8, b''
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        if kind == b'IDAT':
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    raw, stride, rows, prev, p = zlib.decompress(idat), w * bpp, [], bytearray(w * bpp), 0
    for _ in range(h):
        f, line = raw[p], bytearray(raw[p + 1:p + 1 + stride])
        p += 1 + stride
        if f == 2:      # Up, the commonest: one big-integer addition
            line = add_bytes(line, prev, stride)
        elif f != 0:    # Sub, Average, Paeth (PNG spec, section 9)
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                if f == 1: line[i] = (line[i] + a) & 255
                elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
                else:
                    pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                    line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows

def count(rows, bpp, x0, x1, y0, y1, rgb, tol):
    """Pixels of [x0, x1) x [y0, y1) within tol of rgb: per channel, translate
    bytes to 0/1 flags and AND them as big integers."""
    tables = [bytes(1 if abs(v - rgb[k]) <= tol else 0 for v in range(256)) for k in range(3)]
    n = 0
    for y in range(int(y0), int(y1)):
        seg = rows[y][int(x0) * bpp:int(x1) * bpp]
        m = -1
        for k in range(3):
            m &= int.from_bytes(seg[k::bpp].translate(tables[k]), 'big')
        n += bin(m).count('1')
    return n

def main():
    data = open(sys.argv[1], 'rb').read()
    pix = None
    for spec in sys.argv[2:]:
        name, kind, nums = spec.split(':')
        v = [float(x) for x in nums.split(',')]
        w, h = header(data)[:2]
        if kind == 'size':
            good, why = (w, h) == (v[0], v[1]), '%dx%d' % (w, h)
        else:
            if pix is None:
                pix = decode(data)
            bpp, rows = pix[2], pix[3]
            if kind == 'px':
                x, y = int(v[0]), int(v[1])
                good = count(rows, bpp, x, x + 1, y, y + 1, v[2:5], v[5]) == 1
                why = tuple(rows[y][x * bpp:x * bpp + 3])
            elif kind == 'col':
                n = count(rows, bpp, v[0], v[0] + 1, v[1], v[2], v[3:6], v[6])
                good, why = n * 100 >= v[7] * (v[2] - v[1]), '%d of %d match' % (n, v[2] - v[1])
            elif kind == 'area':
                n = count(rows, bpp, v[0], v[2], v[1], v[3], v[4:7], v[7])
                good, why = n >= v[8], '%d match' % n
        print('%s %s%s' % ('PASS' if good else 'FAIL', name, '' if good else ': %s' % (why,)))

main()
EOF
# pv_expect pass|fail LABEL FILE CHECK...: one ok/bad per check
pv_expect() {
    _want=$1 _label=$2 _file=$3; shift 3
    python3 "$PV/probe.py" "$_file" "$@" >"$PV/probe.out" 2>&1 ||
        echo "ERROR probe $_file: $(tail -n 1 "$PV/probe.out")" >"$PV/probe.out"
    while read -r _st _rest; do
        if [ "$_want" = pass ] && [ "$_st" = PASS ]; then ok "$_label: $_rest"
        elif [ "$_want" = fail ] && [ "$_st" = FAIL ]; then ok "$_label: ${_rest%%:*} (fails as it should)"
        else bad "$_label: $_st $_rest"; fi
    done <"$PV/probe.out"
}
# pv_any DIR CHECK: some page of DIR passes CHECK; pv_none: every page runs it and fails
pv_any() {
    for _f in "$1"/page-*.png; do
        python3 "$PV/probe.py" "$_f" "$2" 2>/dev/null | grep -q '^PASS' && return 0
    done
    return 1
}
pv_none() {
    for _f in "$1"/page-*.png; do
        python3 "$PV/probe.py" "$_f" "$2" 2>/dev/null | grep -q '^FAIL' || return 1
    done
    return 0
}
# pv_size FILE: "W H" from the PNG header (bytes 16..23), read with od
pv_size() {
    od -A n -t u1 -j 16 -N 8 "$1" 2>/dev/null |
        awk '{ printf "%d %d", (($1 * 256 + $2) * 256 + $3) * 256 + $4, (($5 * 256 + $6) * 256 + $7) * 256 + $8 }'
}
# pv_wait LOG REGEX COUNT: waits up to 60 s until LOG has COUNT lines matching REGEX
pv_count() { _c=$(grep -cE "$2" "$1" 2>/dev/null); echo "${_c:-0}"; }
pv_wait() {
    _i=0
    while [ "$(pv_count "$1" "$2")" -lt "$3" ] && [ $_i -lt 600 ]; do
        sleep 0.1; _i=$((_i + 1))
    done
    [ "$(pv_count "$1" "$2")" -ge "$3" ]
}
# pv_no_temp DIR...: no temporary file (NAME.XXXXXX of an atomic write) is left
pv_no_temp() {
    ! find "$@" -name '*.png.*' -o -name '*.pdf.*' 2>/dev/null | grep -q .
}

EN=samples/en-article.md
EN_PAGES=$(pdfinfo "$OUT/en-article.pdf" 2>/dev/null | awk '/^Pages:/ { print $2 }')
EN_PAGES=${EN_PAGES:-0}

# ---- pixel size for trim size and resolution ----------------------------------------
$TS preview $EN -o "$PV/p72" --dpi 72 --pages 1 2>"$PV/err"
check "preview: 170x240 mm at 72 dpi is 482x680" test "$(pv_size "$PV/p72/page-001.png")" = "482 680"
$TS preview $EN -o "$PV/p96" --pages 1 2>"$PV/err"
check "preview: default 96 dpi is 643x907" test "$(pv_size "$PV/p96/page-001.png")" = "643 907"
$TS preview $EN -o "$PV/a4" --style a4-sans --dpi 50 --pages 1 2>"$PV/err"
check "preview: --style a4-sans at 50 dpi is 413x585" test "$(pv_size "$PV/a4/page-001.png")" = "413 585"
pv_expect pass "preview: size from the decoder" "$PV/p72/page-001.png" "482x680:size:482,680"

# ---- every page, --pages -----------------------------------------------------------
$TS preview $EN -o "$PV/all" --dpi 20 2>"$PV/err"
check "preview: one PNG per PDF page ($EN_PAGES)" test "$(ls "$PV/all" | grep -c '^page-[0-9][0-9][0-9]\.png$')" -eq "$EN_PAGES"
check "preview: last page is page-00$EN_PAGES.png" test -f "$PV/all/page-00$EN_PAGES.png"
pv_pages() { # pv_pages RANGE EXPECTED-FILES
    rm -rf "$PV/range"
    if $TS preview $EN -o "$PV/range" --dpi 10 --pages "$1" 2>"$PV/err"; then
        check "preview: --pages $1 writes exactly $2" test "$(ls "$PV/range" | tr '\n' ' ')" = "$2 "
    else bad "preview: --pages $1 failed: $(head -n 1 "$PV/err")"; fi
}
pv_pages 2-3 "page-002.png page-003.png"
pv_pages 3 "page-003.png"
pv_pages "$((EN_PAGES - 1))-" "page-00$((EN_PAGES - 1)).png page-00$EN_PAGES.png"
for r in 0 3-2 x 2-x -3 1-2-3 "" "$((EN_PAGES + 1))" "1-$((EN_PAGES + 1))"; do
    rm -rf "$PV/badrange"
    $TS preview $EN -o "$PV/badrange" --pages "$r" 2>/dev/null
    rc=$?
    check "preview: --pages '$r' is a usage error (2) and writes nothing" sh -c "test $rc -eq 2 && ! ls '$PV/badrange' 2>/dev/null | grep -q ."
done
check "preview: --dpi 0 is a usage error" sh -c "$TS preview $EN -o '$PV/x' --dpi 0 2>/dev/null; test \$? -eq 2"
check "preview: no -o and no --contact-sheet is a usage error" sh -c "$TS preview $EN 2>/dev/null; test \$? -eq 2"
check "preview: an unknown option is a usage error" sh -c "$TS preview $EN -o '$PV/x' --frob 2>/dev/null; test \$? -eq 2"
printf -- '---\ntitle: [broken\n---\n' >"$PV/broken.md"
$TS preview "$PV/broken.md" -o "$PV/broken" 2>"$PV/broken.err"
rc=$?
check "preview: bad input exits 1 with FILE:LINE:COL: error:, writes nothing" sh -c "test $rc -eq 1 && grep -q 'broken.md:[0-9]*:[0-9]*: error: ' '$PV/broken.err' && ! ls '$PV/broken' 2>/dev/null | grep -q ."

# ---- --frames: pixel colours at known places -------------------------------------------
# At 72 dpi 1 px = 1 pt.  Page 1 is a recto; its text block starts 20 mm
# (56.69 pt) from the left and top, so the block's 0.6 pt blue line covers 60 %
# of column 56 (rgb 0 89 242 over white: 102 155 247) and the 0.75 pt magenta
# trim line 75 % of column 0 (226 64 226).  The masthead's first line is ragged,
# so its line box (ratio 0: green at 25 %, 191 239 191) is bare at x = 145 mm,
# y = top + 5 pt.  The footnote band (amber at 22 %: 255 241 204) and the red
# hyphen ticks right of the text block (x > 425.2 pt) are looked for on every page.
$TS preview $EN -o "$PV/fr72" --dpi 72 --frames 2>"$PV/err"
$TS preview $EN -o "$PV/plain72" --dpi 72 2>"$PV/err"
FR_CHECKS="text-block-frame-at-20mm:col:56,70,610,102,155,247,50,90
trim-line:col:0,50,630,226,64,226,45,90
line-box-ratio-0-green:px:411,62,191,239,191,14
line-boxes-green:area:50,50,440,630,191,239,191,10,1000"
# shellcheck disable=SC2086
pv_expect pass "preview --frames" "$PV/fr72/page-001.png" $FR_CHECKS "same-size:size:482,680"
# shellcheck disable=SC2086
pv_expect fail "preview without --frames" "$PV/plain72/page-001.png" $FR_CHECKS
PAGE_CHECKS="band:area:40,40,440,640,255,241,204,6,200 tick:area:427,56,440,624,230,0,0,70,2"
pv_scan() { # pv_scan DIR: every page of DIR through the page checks, into $PV/scan-DIR
    for _f in "$PV/$1"/page-*.png; do
        # shellcheck disable=SC2086
        python3 "$PV/probe.py" "$_f" $PAGE_CHECKS 2>&1 || echo "ERROR $_f"
    done >"$PV/scan-$1"
}
pv_scan fr72
pv_scan plain72
check "preview --frames: a footnote band on some page" grep -q '^PASS band' "$PV/scan-fr72"
check "preview --frames: hyphen ticks on some page" grep -q '^PASS tick' "$PV/scan-fr72"
check "preview without --frames: no band and no tick on any of the $EN_PAGES pages" \
    test "$(grep -c '^FAIL' "$PV/scan-plain72")" -eq $((2 * EN_PAGES)) -a "$(grep -vc '^FAIL' "$PV/scan-plain72")" -eq 0

# ---- contact sheet: size by layout arithmetic (contact.h) -----------------------------
# thumbnails at 24 dpi: 161 x 227 for 170 x 240 mm; spreads = ceil((N + r) / 2)
# with r = 1 when the first folio is odd; <= 4 spreads a row; pad 16, label 18
pv_sheet_size() { # pv_sheet_size N FIRST_FOLIO -> "W H"
    awk -v n="$1" -v f="$2" 'BEGIN { tw = 161; th = 227; r = f % 2; s = int((n + r + 1) / 2);
        c = s < 4 ? s : 4; rows = int((s + c - 1) / c); printf "%d %d", 16 + c * (2 * tw + 16), 16 + rows * (th + 18 + 16) }'
}
$TS preview $EN --contact-sheet "$PV/sheet1.png" 2>"$PV/err"
check "contact sheet: $EN_PAGES pages from folio 1 is $(pv_sheet_size "$EN_PAGES" 1)" test "$(pv_size "$PV/sheet1.png")" = "$(pv_sheet_size "$EN_PAGES" 1)"
$TS preview $EN --contact-sheet "$PV/sheet2.png" --first-page 2 2>"$PV/err"
check "contact sheet: from folio 2 is $(pv_sheet_size "$EN_PAGES" 2)" test "$(pv_size "$PV/sheet2.png")" = "$(pv_sheet_size "$EN_PAGES" 2)"
K_PAGES=$(pdfinfo "$OUT/kireeva-2022.pdf" 2>/dev/null | awk '/^Pages:/ { print $2 }')
$TS preview samples/kireeva-2022.md --contact-sheet "$PV/sheet-k.png" -o "$PV/k" --dpi 10 2>"$PV/err"
check "contact sheet: seed ($K_PAGES pages from folio 98) is $(pv_sheet_size "${K_PAGES:-0}" 98)" test "$(pv_size "$PV/sheet-k.png")" = "$(pv_sheet_size "${K_PAGES:-0}" 98)"
# a first recto stands alone on the right: the verso slot of spread 0 is
# background (grey 209), the recto slot's margin white; from folio 2 it is white
pv_expect pass "contact sheet from folio 1" "$PV/sheet1.png" "empty-verso-slot:px:96,116,209,209,209,3" "recto-margin:px:182,21,255,255,255,3"
pv_expect pass "contact sheet from folio 2" "$PV/sheet2.png" "verso-margin:px:21,21,255,255,255,3"
pv_expect fail "contact sheet from folio 2" "$PV/sheet2.png" "empty-verso-slot:px:96,116,209,209,209,3"
$TS preview $EN --contact-sheet "$PV/sheet-fr.png" --frames 2>"$PV/err"
check "contact sheet --frames: same size" test "$(pv_size "$PV/sheet-fr.png")" = "$(pv_size "$PV/sheet1.png")"

# ---- build --frames ----------------------------------------------------------------------
if $TS build $EN --frames -o "$PV/frames.pdf" 2>"$PV/err"; then
    check "build --frames: qpdf --check" sh -c "qpdf --check '$PV/frames.pdf' | grep -q 'No syntax or stream encoding errors'"
    check "build --frames: same pages, tagged" sh -c "pdfinfo '$PV/frames.pdf' | grep -q '^Pages: *$EN_PAGES\$' && pdfinfo '$PV/frames.pdf' | grep -q '^Tagged: *yes'"
    check "build --frames: the frames are drawn (the PDF differs)" sh -c "! cmp -s '$PV/frames.pdf' '$OUT/en-article.pdf'"
    # the same words: --frames paints with Cairo (pdfpaint.h), whose rounding
    # of positions moves pdftotext's reading order around a superscript
    pdftotext "$OUT/en-article.pdf" - | tr -s ' \n' '\n\n' | sort >"$PV/plain.txt"
    pdftotext "$PV/frames.pdf" - | tr -s ' \n' '\n\n' | sort >"$PV/frames.txt"
    check "build --frames: the same text" cmp -s "$PV/plain.txt" "$PV/frames.txt"
else bad "build --frames: $(head -n 2 "$PV/err")"; fi
check "build --frames --bleed 3 --marks: qpdf --check" sh -c "$TS build $EN --frames --bleed 3 --marks -o '$PV/frames-bleed.pdf' 2>/dev/null && qpdf --check '$PV/frames-bleed.pdf' | grep -q 'No syntax or stream encoding errors'"

# ---- watch ----------------------------------------------------------------------------------
W=$PV/watch
mkdir -p "$W"
cp styles/rjwpln.yaml "$W/style.yaml"
printf -- '---\ntitle: Watch Test\n---\nFirst version of the body.\n' >"$W/a.md"
timeout 120 $TS watch "$W/a.md" -o "$W/out/a.pdf" --style "$W/style.yaml" --max-rebuilds 4 \
    >"$W/log" 2>"$W/err" &
wpid=$!
if pv_wait "$W/log" '^built ' 1; then
    ok "watch: first build"
    cp "$W/out/a.pdf" "$W/good1.pdf"
    check "watch: the PDF is the one build makes" sh -c "$TS build '$W/a.md' --style '$W/style.yaml' -o '$W/b.pdf' && cmp -s '$W/b.pdf' '$W/out/a.pdf'"
    # an editor that saves by writing a new file and renaming it over the old
    printf -- '---\ntitle: Watch Test\n---\nSecond version of the body.\n' >"$W/a.md.new"
    mv "$W/a.md.new" "$W/a.md"
    pv_wait "$W/log" '^rebuilt ' 1
    check "watch: rebuilt after a save by rename" has "$W/out/a.pdf" "Second version"
    check "watch: prints 'rebuilt OUT in N ms (N pages, W warnings)'" grep -qE "^rebuilt $W/out/a.pdf in [0-9]+ ms \([0-9]+ pages?, [0-9]+ warnings?\)$" "$W/log"
    cp "$W/out/a.pdf" "$W/good2.pdf"
    sed -i 's/^title: Watch Test/title: [Watch Test/' "$W/a.md"
    pv_wait "$W/log" '^failed ' 1
    check "watch: a YAML error is reported as FILE:LINE:COL: error:" grep -q "a.md:[0-9]*:[0-9]*: error: YAML" "$W/err"
    check "watch: after the error the last good PDF stays" cmp -s "$W/good2.pdf" "$W/out/a.pdf"
    printf -- '---\ntitle: Watch Test\n---\nThird version of the body.\n' >"$W/a.md"
    pv_wait "$W/log" '^rebuilt ' 2
    check "watch: recovers after the error" has "$W/out/a.pdf" "Third version"
    # the style file changed: it is reloaded (a wider page)
    sed -i 's/^  width: 170mm/  width: 180mm/' "$W/style.yaml"
    pv_wait "$W/log" '^rebuilt ' 3
    check "watch: reloads the style when its file changes" sh -c "pdfinfo '$W/out/a.pdf' | grep -q 'Page size: *510.2[0-9]* x'"
else
    bad "watch: no first build: $(head -n 2 "$W/err")"
fi
wait $wpid
rc=$?
check "watch --max-rebuilds 4: exits 0 after the 4th rebuild" test "$rc" -eq 0
check "watch: no temporary files left" pv_no_temp "$W" "$PV"
check "watch: only a.pdf in the output directory" test "$(ls "$W/out")" = "a.pdf"

# SIGTERM and SIGINT stop it cleanly with status 0; --png writes every page
for sig in TERM INT; do
    rm -rf "$W/png"
    $TS watch "$W/a.md" -o "$W/out/s.pdf" --png "$W/png" --dpi 20 >"$W/log-$sig" 2>&1 &
    spid=$!
    if pv_wait "$W/log-$sig" '^built ' 1; then
        check "watch --png: one PNG per page" test "$(ls "$W/png")" = "page-001.png"
        kill -$sig $spid
        _i=0
        while kill -0 $spid 2>/dev/null && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
        if kill -0 $spid 2>/dev/null; then bad "watch: still running 10 s after SIG$sig"; kill -KILL $spid
        else wait $spid; rc=$?; check "watch: SIG$sig stops it with status 0" test "$rc" -eq 0; fi
    else
        bad "watch ($sig): no first build: $(head -n 2 "$W/log-$sig")"; kill -KILL $spid 2>/dev/null
    fi
done
check "watch: usage error without an article" sh -c "$TS watch 2>/dev/null; test \$? -eq 2"
check "preview, watch: no temporary files left anywhere" pv_no_temp "$PV" samples
