/* test_issue.c — the pure parts of `typeset issue`: page numbering with and
 * without recto starts and the side of the sheet each folio lands on
 * (typeset/issuepages.c), the PDF merge that makes
 * issue.pdf (typeset/pdfmerge.c), roman labels (typeset/issuefront.c), and
 * the manifest reader's errors (typeset/manifest.c). */
#include "../../typeset/digest.h"
#include "../../typeset/issuecache.h"
#include "../../typeset/issuefront.h"
#include "../../typeset/issuepages.h"
#include "../../typeset/manifest.h"
#include "../../typeset/paint.h"
#include "../../typeset/pdfcat.h"
#include "../../typeset/pdfcat-private.h"
#include "../../typeset/pdfmerge.h"
#include "check.h"
#include "minipdf.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include <qpdf/qpdf-c.h>
#include <xxhash.h>

static void numbering(void)
{
    int pages[4] = {9, 7, 5, 6}, first[4];
    int next = issuepages_number(77, 0, pages, 4, first);
    CHECK(first[0] == 77 && first[1] == 86 && first[2] == 93 && first[3] == 98 && next == 104,
          "run on: 77 86 93 98, next 104 (got %d %d %d %d, %d)", first[0], first[1], first[2],
          first[3], next);
    next = issuepages_number(77, 1, pages, 4, first);
    CHECK(first[0] == 77 && first[1] == 87 && first[2] == 95 && first[3] == 101 && next == 107,
          "recto starts: 77 87 95 101 (got %d %d %d %d)", first[0], first[1], first[2], first[3]);
    next = issuepages_number(2, 1, pages, 1, first);
    CHECK(first[0] == 3, "recto start on an even first page: the first article moves to 3");
    next = issuepages_number(10, 1, pages, 2, first);
    CHECK(first[0] == 11 && first[1] == 21 && next == 28,
          "recto start on an even first page, two articles: 11 21 (got %d %d, %d)", first[0],
          first[1], next);
    int with_failed[3] = {4, 0, 5};
    issuepages_number(1, 0, with_failed, 3, first);
    CHECK(first[1] == 0 && first[2] == 5, "a failed article takes no room (got %d, %d)", first[1],
          first[2]);
}

/* The first folio after the front, and the front's pad: the cover is page 1
 * of issue.pdf, a recto, so folio f must be on a page of f's parity. */
static void sides(void)
{
    CHECK(issuepages_start(77, 0) == 77 && issuepages_start(77, 1) == 77, "odd first page kept");
    CHECK(issuepages_start(10, 0) == 10, "even first page kept without recto starts");
    CHECK(issuepages_start(10, 1) == 11, "even first page with recto starts: the recto after it");
    for (int n_front = 1; n_front <= 4; n_front++)
        for (int start = 1; start <= 4; start++) {
            int pad = issuepages_front_blanks(n_front, start);
            int page = n_front + pad + 1;   /* 1-based page of issue.pdf showing `start` */
            CHECK(pad >= 0 && pad <= 1 && page % 2 == start % 2,
                  "%d front pages, first folio %d: %d blank(s) puts it on page %d", n_front, start,
                  pad, page);
        }
    CHECK(issuepages_front_blanks(2, 77) == 0, "the sample issue: cover, contents, then 77 on page 3");
    CHECK(issuepages_front_blanks(2, 10) == 1, "cover, contents, a blank, then 10 on page 4");
}

static void roman(void)
{
    Arena a;
    arena_init(&a);
    CHECK_STR(issuefront_roman(1, &a), "i", "1");
    CHECK_STR(issuefront_roman(4, &a), "iv", "4");
    CHECK_STR(issuefront_roman(14, &a), "xiv", "14");
    CHECK_STR(issuefront_roman(1994, &a), "mcmxciv", "1994");
    arena_fini(&a);
}

/* A one-page tagged PDF from paint_pdf: a destination "title", an internal
 * link to "ref-1", an external link, and one outline entry; label "label". */
static unsigned char *tiny_pdf(const char *label, const char *dest_link, size_t *len)
{
    LayItem items[3] = {
        {.kind = LI_DEST, .str = "title", .x = 10, .y = 10},
        {.kind = LI_LINK, .str = dest_link, .x = 10, .y = 20, .w = 30, .h = 10},
        {.kind = LI_LINK, .str = "https://doi.org/10.1/x", .x = 10, .y = 40, .w = 30, .h = 10},
    };
    /* cairo 1.16 writes links and destinations only beside marked content */
    LayItem tagged[6] = {{.kind = LI_TAG_BEGIN, .str = "P"}, {.kind = LI_RULE, .x = 10, .y = 60, .w = 50},
                         items[0], items[1], items[2], {.kind = LI_TAG_END, .str = "P"}};
    LayPage pg = {.items = tagged, .n_items = 6, .label = label};
    LayOutline ol = {1, "References", "title"};
    LayResult r = {.pages = &pg, .n_pages = 1, .outline = &ol, .n_outline = 1};
    PaintOptions po = {.width = 200, .height = 300, .tagged = 1};
    PaintMeta pm = {.title = "t", .date_iso = "2024-01-01T00:00:00Z"};
    unsigned char *pdf = NULL;
    const char *err = NULL;
    CHECK(paint_pdf(&r, &po, &pm, &pdf, len, &err) == 0, "paint a tiny PDF");
    return pdf;
}

/* The merged document's name tree as "name name ..." and its first link. */
static char *dest_names(qpdf_data q)
{
    GString *g = g_string_new(NULL);
    qpdf_oh dests = qpdf_oh_get_key(q, qpdf_oh_get_key(q, qpdf_get_root(q), "/Names"), "/Dests");
    qpdf_oh arr = qpdf_oh_get_key(q, dests, "/Names");
    for (int i = 0; i < qpdf_oh_get_array_n_items(q, arr); i += 2)
        g_string_append_printf(g, "%s ", qpdf_oh_get_utf8_value(q, qpdf_oh_get_array_item(q, arr, i)));
    return g_string_free(g, FALSE);
}

/* p[0..*len) through the post-pass: appended to (rewrite 0) or rewritten by
 * qpdf with object streams (rewrite 1), which the byte-level merge does not
 * read. */
static unsigned char *post(unsigned char *p, size_t *len, int rewrite)
{
    PdfPostOptions o = {.epoch = 1700000000, .lang = "ru", .rewrite = rewrite};
    unsigned char *out = NULL;
    size_t n = 0;
    DiagList dl;
    diag_list_init(&dl);
    CHECK(pdfpost_run(p, *len, &o, &out, &n, "p.pdf", &dl) == 0, "post-pass (rewrite %d)", rewrite);
    diag_list_fini(&dl);
    g_free(p);
    *len = n;
    return out;
}

enum { MERGE_CAIRO, MERGE_APPENDED, MERGE_MIXED, MERGE_N };

/* Front (one page, "i") + two parts, the first after one blank page: labels,
 * blanks, prefixed names and links, outline, structure.  The parts as Cairo
 * wrote them, after the appended post-pass (read ahead, as the issue does),
 * or the second rewritten by qpdf, so that the merge starts on the bytes and
 * is done again by qpdf: the same document each way. */
static void merge(int how)
{
    size_t fl, l1, l2;
    unsigned char *front = tiny_pdf("i", "#a2-title", &fl);
    unsigned char *p1 = tiny_pdf("5", "#ref-1", &l1), *p2 = tiny_pdf("7", "#title", &l2);
    if (how != MERGE_CAIRO) {
        p1 = post(p1, &l1, 0);
        p2 = post(p2, &l2, how == MERGE_MIXED);
    }
    PdfCatPart *r1 = pdfcat_read(p1, l1), *r2 = pdfcat_read(p2, l2);
    CHECK(r1 && (how == MERGE_MIXED) == !r2, "merge %d: the parts read for the merge on bytes "
          "(%p %p), but not one rewritten by qpdf", how, (void *)r1, (void *)r2);
    PdfMergePart parts[2] = {
        {.pdf = p1, .len = l1, .file = "a.pdf", .prefix = "a1-", .title = "First",
         .title_dest = "a1-title", .blanks_before = 1, .read = how == MERGE_APPENDED ? r1 : NULL},
        {.pdf = p2, .len = l2, .file = "b.pdf", .prefix = "a2-", .title = "Second",
         .title_dest = "a2-title"},
    };
    /* (blank pages of another size than the parts': each page's trim box
     * is its own) */
    PdfMergeOptions mo = {.post = {.epoch = 1700000000, .lang = "en"}, .blank_width = 180,
                          .blank_height = 280, .front_blank_label = "ii", .first_folio = 4};
    DiagList dl;
    diag_list_init(&dl);
    unsigned char *out = NULL;
    size_t len = 0;
    int rc = pdfmerge_run(front, fl, parts, 2, &mo, &out, &len, "issue.pdf", &dl);
    CHECK(rc == 0 && dl.n == 0, "merged without diagnostics (%d)", dl.n);
    if (rc == 0) {
        qpdf_data q = qpdf_init();
        qpdf_read_memory(q, "m", (const char *)out, len, NULL);
        CHECK(qpdf_get_num_pages(q) == 5, "front, its blank, a blank verso, two pages (got %d)",
              qpdf_get_num_pages(q));
        char *names = dest_names(q);
        CHECK_STR(names, "a1-title a2-title title ", "names prefixed, sorted, the front's kept");
        g_free(names);
        qpdf_oh pg = qpdf_get_page_n(q, 3);
        qpdf_oh link = qpdf_oh_get_array_item(q, qpdf_oh_get_key(q, pg, "/Annots"), 0);
        CHECK_STR(qpdf_oh_get_utf8_value(q, qpdf_oh_get_key(q, link, "/Dest")), "a1-ref-1",
                  "a part's internal link prefixed");
        CHECK(qpdf_oh_get_int_value(q, qpdf_oh_get_key(q, pg, "/StructParents")) >= 1,
              "the part's parent-tree keys come after the front's");
        qpdf_oh blank = qpdf_get_page_n(q, 2);
        CHECK(!qpdf_oh_has_key(q, blank, "/Contents") && qpdf_oh_has_key(q, blank, "/TrimBox"),
              "the blank verso is empty and has a TrimBox");
        int boxes = 1;      /* no bleed: each page's TrimBox is its MediaBox */
        for (int i = 0; i < qpdf_get_num_pages(q); i++) {
            qpdf_oh pi = qpdf_get_page_n(q, i);
            qpdf_oh mb = qpdf_oh_get_key(q, pi, "/MediaBox"), tb = qpdf_oh_get_key(q, pi, "/TrimBox");
            for (int k = 0; k < 4; k++)
                boxes &= qpdf_oh_get_numeric_value(q, qpdf_oh_get_array_item(q, mb, k)) ==
                         qpdf_oh_get_numeric_value(q, qpdf_oh_get_array_item(q, tb, k));
        }
        CHECK(boxes && qpdf_oh_get_numeric_value(
                           q, qpdf_oh_get_array_item(q, qpdf_oh_get_key(q, blank, "/MediaBox"), 2)) == 180,
              "each page's TrimBox is its own MediaBox, blank pages (180 pt) and parts (200 pt) alike");
        qpdf_oh ol = qpdf_oh_get_key(q, qpdf_get_root(q), "/Outlines");
        qpdf_oh first = qpdf_oh_get_key(q, qpdf_oh_get_key(q, ol, "/First"), "/Next");
        CHECK_STR(qpdf_oh_get_utf8_value(q, qpdf_oh_get_key(q, first, "/Title")), "First",
                  "outline: the front's own entry, then the first part's title");
        qpdf_oh kid = qpdf_oh_get_key(q, first, "/First");
        CHECK_STR(qpdf_oh_get_utf8_value(q, qpdf_oh_get_key(q, kid, "/Dest")), "a1-title",
                  "outline: its own entry nested, target prefixed");
        qpdf_oh nums = qpdf_oh_get_key(q, qpdf_oh_get_key(q, qpdf_get_root(q), "/PageLabels"), "/Nums");
        const char *labels = qpdf_oh_unparse(q, nums);
        CHECK(strstr(labels, "1 << /P (ii) >> 2 << /S /D /St 4 >>") != NULL,
              "labels: ii for the front's blank, folios from 4 (got %s)", labels);
        qpdf_oh st = qpdf_oh_get_key(q, qpdf_get_root(q), "/StructTreeRoot");
        CHECK(qpdf_oh_get_array_n_items(q, qpdf_oh_get_key(q, st, "/K")) == 3,
              "structure: the front's document and both parts'");
        qpdf_oh doc = qpdf_oh_get_array_item(q, qpdf_oh_get_key(q, st, "/K"), 1);
        CHECK(how == MERGE_CAIRO ? !qpdf_oh_has_key(q, doc, "/Lang") :
              strcmp(qpdf_oh_get_utf8_value(q, qpdf_oh_get_key(q, doc, "/Lang")), "ru") == 0,
              "structure: a part's /Lang (from its catalog) on its document element");
        CHECK(qpdf_oh_get_int_value(q, qpdf_oh_get_key(q, st, "/ParentTreeNextKey")) >= 3,
              "structure: the next parent-tree key after the parts'");
        CHECK(qpdf_more_warnings(q) == QPDF_FALSE && qpdf_get_num_pages(q) == 5,
              "qpdf reads the merge without a warning");
        qpdf_check_pdf(q);
        CHECK(qpdf_more_warnings(q) == QPDF_FALSE, "qpdf --check finds nothing");
        qpdf_cleanup(&q);
    }
    /* step by step: which input, if any, sent the merge to qpdf */
    DiagList sdl;
    diag_list_init(&sdl);
    PdfMerge *pm = pdfmerge_new(front, fl, &mo, "issue.pdf", &sdl);
    /* the file so far (written to disk as it grows: issuemerge.c) only
     * grows, and is where the finished file begins; none once qpdf merges */
    size_t n0 = 0, n1 = 0;
    const char *b0 = pdfmerge_bytes(pm, &n0);
    char *seen0 = b0 ? g_memdup2(b0, n0) : NULL;
    int steps = pm && pdfmerge_add(pm, &parts[0]) == 0 && !pdfmerge_qpdf_because(pm);
    const char *b1 = pdfmerge_bytes(pm, &n1);
    char *seen1 = b1 ? g_memdup2(b1, n1) : NULL;
    CHECK(b0 && b1 && n1 > n0 && memcmp(b1, seen0, n0) == 0,
          "merge %d: the bytes so far grow by the part, the front's unchanged (%zu, %zu)", how,
          n0, n1);
    steps = steps && pdfmerge_add(pm, &parts[1]) == 0;
    const char *why = pdfmerge_qpdf_because(pm);
    CHECK(steps && (how == MERGE_MIXED ? why && strcmp(why, "b.pdf") == 0 : !why),
          "merge %d: on the bytes until an input in another shape (%s)", how, why ? why : "none");
    size_t n2 = 0;
    const char *b2 = pdfmerge_bytes(pm, &n2);
    CHECK(how == MERGE_MIXED ? !b2 : b2 && n2 > n1 && memcmp(b2, seen1, n1) == 0,
          "merge %d: the bytes so far %s", how,
          how == MERGE_MIXED ? "gone once qpdf merges" : "grow by the second part");
    unsigned char *fin = NULL;
    size_t flen = 0;
    CHECK(pdfmerge_finish(pm, &fin, &flen) == 0 && flen > n1 &&
              (how == MERGE_MIXED || memcmp(fin, seen1, n1) == 0),
          "merge %d: the finished file begins with the bytes given before", how);
    /* the same merge letting its bytes go as they are taken (issuemerge.c
     * writes them to the file): the pieces and the rest make the same file */
    PdfMerge *pd = pdfmerge_new(front, fl, &mo, "issue.pdf", &sdl);
    GString *pieces = g_string_new(NULL);
    int dropped = pd != NULL;
    for (int i = 0; i <= 2 && dropped; i++) {
        size_t n = 0;
        const char *b = pdfmerge_bytes(pd, &n);
        if (b)
            g_string_append_len(pieces, b, (gssize)n);
        pdfmerge_drop(pd);
        dropped = i == 2 || pdfmerge_add(pd, &parts[i]) == 0;
    }
    unsigned char *rest = NULL;
    size_t rlen = 0;
    dropped = dropped && pdfmerge_finish(pd, &rest, &rlen) == 0;
    if (dropped)
        g_string_append_len(pieces, (const char *)rest, (gssize)rlen);
    /* (once qpdf merges, its result is the whole file) */
    CHECK(dropped && (how == MERGE_MIXED ? rlen == flen && memcmp(rest, fin, flen) == 0 :
                      pieces->len == flen && memcmp(pieces->str, fin, flen) == 0),
          "merge %d: the bytes let go as they are taken and the rest make the same file", how);
    free(rest);
    g_string_free(pieces, TRUE);
    pdfmerge_free(pd);
    free(fin);
    g_free(seen0);
    g_free(seen1);
    pdfmerge_free(pm);
    diag_list_fini(&sdl);
    DiagList bad;
    diag_list_init(&bad);
    parts[1].len = 10;
    unsigned char *none = NULL;
    CHECK(pdfmerge_run(front, fl, parts, 2, &mo, &none, &len, "issue.pdf", &bad) != 0 && !none &&
              bad.errors > 0, "a truncated part is an error, and nothing is written");
    diag_list_fini(&bad);
    diag_list_fini(&dl);
    pdfcat_part_free(r1);
    pdfcat_part_free(r2);
    free(out);
    g_free(front);
    g_free(p1);
    g_free(p2);
}

/* A part made hostile: its name tree a chain of 40 levels whose every node
 * lists the same child twice (2^40 paths), a page's /StructParents out of
 * range.  The merge walks each node once and drops the bad key. */
static void merge_hostile(void)
{
    size_t fl, l1;
    unsigned char *front = tiny_pdf("i", "#a1-title", &fl), *p1 = tiny_pdf("1", "#x", &l1);
    qpdf_data q = qpdf_init();
    qpdf_read_memory(q, "p1", (const char *)p1, l1, NULL);
    qpdf_oh page = qpdf_get_page_n(q, 0);
    qpdf_oh node = qpdf_make_indirect_object(q, qpdf_oh_new_dictionary(q));
    qpdf_oh names = qpdf_oh_new_array(q);
    qpdf_oh_append_item(q, names, qpdf_oh_new_string(q, "x"));
    qpdf_oh dest = qpdf_oh_new_array(q);
    qpdf_oh_append_item(q, dest, page);
    qpdf_oh_append_item(q, dest, qpdf_oh_new_name(q, "/Fit"));
    qpdf_oh_append_item(q, names, dest);
    qpdf_oh_replace_key(q, node, "/Names", names);
    for (int i = 0; i < 40; i++) {
        qpdf_oh up = qpdf_make_indirect_object(q, qpdf_oh_new_dictionary(q));
        qpdf_oh kids = qpdf_oh_new_array(q);
        qpdf_oh_append_item(q, kids, node);
        qpdf_oh_append_item(q, kids, node);
        qpdf_oh_replace_key(q, up, "/Kids", kids);
        node = up;
    }
    qpdf_oh nd = qpdf_oh_new_dictionary(q);
    qpdf_oh_replace_key(q, nd, "/Dests", node);
    qpdf_oh_replace_key(q, qpdf_get_root(q), "/Names", nd);
    qpdf_oh_replace_key(q, page, "/StructParents", qpdf_oh_new_integer(q, 9223372036854775807LL));
    qpdf_init_write_memory(q);
    qpdf_write(q);
    size_t hl = qpdf_get_buffer_length(q);
    unsigned char *hostile = g_memdup2(qpdf_get_buffer(q), hl);
    qpdf_cleanup(&q);

    PdfMergePart part = {.pdf = hostile, .len = hl, .file = "h.pdf", .prefix = "a1-", .title = "H",
                         .title_dest = "a1-title"};
    PdfMergeOptions mo = {.post = {.epoch = 1700000000}, .blank_width = 200, .blank_height = 300,
                          .first_folio = 1};
    DiagList dl;
    diag_list_init(&dl);
    unsigned char *out = NULL;
    size_t len = 0;
    int rc = pdfmerge_run(front, fl, &part, 1, &mo, &out, &len, "issue.pdf", &dl);
    CHECK(rc == 0, "a shared-kids name tree of 2^40 paths and a key out of range merge (rc %d)", rc);
    if (rc == 0) {
        qpdf_data r = qpdf_init();
        qpdf_read_memory(r, "m", (const char *)out, len, NULL);
        char *got = dest_names(r);
        CHECK_STR(got, "a1-x title ", "each name once: the part's x, the front's title (got %s)", got);
        g_free(got);
        CHECK(!qpdf_oh_has_key(r, qpdf_get_page_n(r, 1), "/StructParents"),
              "the out-of-range /StructParents is dropped, not wrapped");
        qpdf_cleanup(&r);
    }
    diag_list_fini(&dl);
    free(out);
    g_free(hostile);
    g_free(front);
    g_free(p1);
}

/* pdfcat_read of a hand-written PDF: 1 when it reads it. */
static int cat_reads(const char *const *objs, const char *trailer_extra)
{
    size_t len;
    unsigned char *pdf = mini_pdf(objs, trailer_extra, NULL, &len);
    PdfCatPart *p = pdfcat_read(pdf, len);
    pdfcat_part_free(p);
    g_free(pdf);
    return p != NULL;
}

/* The hand-written part merged after a tiny front (prefix "a1-", title
 * "H"): the result (free), NULL on failure.  *read: whether the byte-level
 * merge could read the part. */
static unsigned char *cat_merge(const char *const *objs, int *read, size_t *len)
{
    size_t fl, pl;
    unsigned char *front = tiny_pdf("i", "#a1-title", &fl), *pdf = mini_pdf(objs, NULL, NULL, &pl);
    PdfCatPart *r = pdfcat_read(pdf, pl);
    *read = r != NULL;
    pdfcat_part_free(r);
    PdfMergePart part = {.pdf = pdf, .len = pl, .file = "h.pdf", .prefix = "a1-", .title = "H",
                         .title_dest = "a1-title"};
    PdfMergeOptions mo = {.post = {.epoch = 1700000000}, .blank_width = 200, .blank_height = 300,
                          .first_folio = 1};
    DiagList dl;
    diag_list_init(&dl);
    unsigned char *out = NULL;
    if (pdfmerge_run(front, fl, &part, 1, &mo, &out, len, "issue.pdf", &dl) != 0 || dl.n) {
        free(out);
        out = NULL;
    }
    diag_list_fini(&dl);
    g_free(front);
    g_free(pdf);
    return out;
}

/* The byte-level reader on hand-written PDFs it must refuse rather than
 * mishandle (the merge then goes through qpdf). */
static void cat_refuses(void)
{
    const char *plain[] = {"<< /Type /Catalog /Pages 2 0 R >>",
                           "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                           "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 300] "
                           "/Resources << >> /Contents 4 0 R >>",
                           "<< /Length 5 0 R >>\nstream\nBT ET\nendstream", "6", NULL};
    CHECK(cat_reads(plain, NULL), "a plain hand-written PDF is read");
    /* two streams whose indirect /Length name each other: refused, not an
     * endless recursion */
    const char *lenloop[] = {plain[0], plain[1], plain[2],
                             "<< /Length 5 0 R >>\nstream\nBT ET\nendstream",
                             "<< /Length 4 0 R >>\nstream\nx\nendstream", NULL};
    CHECK(!cat_reads(lenloop, NULL), "streams whose /Length name each other are refused");
    /* a hybrid file: objects in the stream /XRefStm names are missing from
     * the table, and references to them would become null */
    CHECK(!cat_reads(plain, " /XRefStm 5"), "a hybrid xref (/XRefStm) is refused");
    /* a structure tree root whose kid is not a dictionary: pdfcat writes its
     * top elements anew as dictionaries, and would turn it into "<< >>" */
    const char *top[] = {"<< /Type /Catalog /Pages 2 0 R /StructTreeRoot 6 0 R >>", plain[1],
                         plain[2], plain[3], plain[4], "<< /Type /StructTreeRoot /K 7 0 R >>",
                         "[1 2 3]", NULL};
    CHECK(!cat_reads(top, NULL), "a structure root's kid that is an array is refused");
    top[6] = "<< /Type /StructElem /S /Document /P 6 0 R >>";
    CHECK(cat_reads(top, NULL), "... and one that is a dictionary read");
}

/* A part's outline item whose /Title is a reference: the title the result
 * shows is that string (the reference renumbered, not copied as written). */
static void cat_outline_title(void)
{
    const char *objs[] = {"<< /Type /Catalog /Pages 2 0 R /Outlines 6 0 R >>",
                          "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                          "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 300] "
                          "/Resources << >> /Contents 4 0 R >>",
                          "<< /Length 5 0 R >>\nstream\nBT ET\nendstream", "5",
                          "<< /Type /Outlines /First 7 0 R /Last 7 0 R /Count 1 >>",
                          "<< /Title 8 0 R /Parent 6 0 R /Dest [3 0 R /Fit] >>",
                          "(Indirect title)", NULL};
    int read;
    size_t len;
    unsigned char *out = cat_merge(objs, &read, &len);
    CHECK(read && out, "a part with an indirect outline title is read and merged");
    if (out) {
        qpdf_data q = qpdf_init();
        qpdf_read_memory(q, "m", (const char *)out, len, NULL);
        qpdf_oh ol = qpdf_oh_get_key(q, qpdf_get_root(q), "/Outlines");
        qpdf_oh head = qpdf_oh_get_key(q, qpdf_oh_get_key(q, ol, "/First"), "/Next");
        qpdf_oh it = qpdf_oh_get_key(q, head, "/First");
        qpdf_oh t = qpdf_oh_get_key(q, it, "/Title");
        CHECK(qpdf_oh_is_string(q, t) && strcmp(qpdf_oh_get_utf8_value(q, t), "Indirect title") == 0,
              "the part's outline item keeps its indirect title (got %s)", qpdf_oh_unparse(q, t));
        qpdf_cleanup(&q);
    }
    free(out);
}

/* Without a producer in the options, the front's own /Producer stays in
 * Info (as the qpdf merge and the appended post-pass keep it). */
static void cat_info(void)
{
    const char *objs[] = {"<< /Type /Catalog /Pages 2 0 R >>",
                          "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                          "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 300] >>", NULL};
    int read;
    size_t len;
    unsigned char *out = cat_merge(objs, &read, &len);
    CHECK(read && out, "a minimal part read and merged");
    if (out) {
        qpdf_data q = qpdf_init();
        qpdf_read_memory(q, "m", (const char *)out, len, NULL);
        qpdf_oh info = qpdf_oh_get_key(q, qpdf_get_trailer(q), "/Info");
        qpdf_oh pr = qpdf_oh_get_key(q, info, "/Producer");
        CHECK(qpdf_oh_is_string(q, pr) && strncmp(qpdf_oh_get_utf8_value(q, pr), "typeset", 7) == 0,
              "the front's /Producer kept when none is given (got %s)", qpdf_oh_unparse(q, pr));
        qpdf_cleanup(&q);
    }
    free(out);
}

/* A part's links whose destination is a reference to a string: prefixed
 * like any other (pdfcat cannot rename what it copies as an object, so it
 * leaves the part to qpdf).  A destination that is a name object with a #
 * escape: the name's bytes, prefixed. */
static void cat_link_dests(void)
{
    const char *objs[] = {"<< /Type /Catalog /Pages 2 0 R >>",
                          "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                          "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 300] "
                          "/Resources << >> /Contents 4 0 R /Annots [6 0 R 7 0 R] >>",
                          "<< /Length 5 0 R >>\nstream\nBT ET\nendstream", "5",
                          "<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /Dest 8 0 R >>",
                          "<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] "
                          "/A << /S /GoTo /D 8 0 R >> >>",
                          "(ref-1)", NULL};
    for (int how = 0; how < 3; how++) {
        if (how == 1) {         /* only the action's /D indirect */
            objs[5] = "<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /Dest (ref-1) >>";
        } else if (how == 2) {  /* direct, a name with an escape */
            objs[5] = "<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /Dest /ref#2D1 >>";
            objs[6] = "<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] "
                      "/A << /S /GoTo /D /ref#2d1 >> >>";
        }
        int read;
        size_t len;
        unsigned char *out = cat_merge(objs, &read, &len);
        CHECK(out && read == (how == 2), "links %d merged (read on the bytes: %d)", how, read);
        if (!out)
            continue;
        qpdf_data q = qpdf_init();
        qpdf_read_memory(q, "m", (const char *)out, len, NULL);
        qpdf_oh annots = qpdf_oh_get_key(q, qpdf_get_page_n(q, 1), "/Annots");
        qpdf_oh d0 = qpdf_oh_get_key(q, qpdf_oh_get_array_item(q, annots, 0), "/Dest");
        qpdf_oh a1 = qpdf_oh_get_key(q, qpdf_oh_get_array_item(q, annots, 1), "/A");
        qpdf_oh d1 = qpdf_oh_get_key(q, a1, "/D");
        CHECK(qpdf_oh_is_string(q, d0) && strcmp(qpdf_oh_get_utf8_value(q, d0), "a1-ref-1") == 0,
              "links %d: /Dest prefixed (got %s)", how, qpdf_oh_unparse(q, d0));
        CHECK(qpdf_oh_is_string(q, d1) && strcmp(qpdf_oh_get_utf8_value(q, d1), "a1-ref-1") == 0,
              "links %d: the GoTo action's /D prefixed (got %s)", how, qpdf_oh_unparse(q, d1));
        qpdf_cleanup(&q);
        free(out);
    }
}

/* Writes text to DIR/name; returns the path (g_free). */
static char *put(const char *dir, const char *name, const char *text)
{
    char *p = g_build_filename(dir, name, NULL);
    g_file_set_contents(p, text, -1, NULL);
    return p;
}

static int has_diag(const DiagList *dl, int line, int col, const char *part)
{
    for (int i = 0; i < dl->n; i++)
        if (dl->v[i].line == line && dl->v[i].col == col && strstr(dl->v[i].msg, part))
            return 1;
    return 0;
}

static void manifest(void)
{
    char *dir = g_dir_make_tmp("ts-issue-XXXXXX", NULL);
    g_free(put(dir, "a.md", "---\ntitle: A\n---\n"));
    g_free(put(dir, "b.md", "---\ntitle: B\n---\n"));
    DiagList dl;
    diag_list_init(&dl);
    char *p = put(dir, "ok.yaml",
                  "journal: J\nvolume: 3\nfirst_page: 12\nsections:\n  - title: S\n"
                  "    articles: [a.md]\n  - title: T\n    articles: [b.md]\n");
    Manifest *m = manifest_load(p, &dl);
    CHECK(m && m->n_articles == 2 && m->n_sections == 2 && m->first_page == 12, "sections read");
    CHECK(m && m->articles[1].section == 1 && strcmp(m->articles[1].stem, "b") == 0,
          "article b in section 2, stem b");
    CHECK(m && strcmp(m->volume, "3") == 0, "a number given as volume is kept as text");
    manifest_free(m);
    g_free(p);

    p = put(dir, "bad.yaml", "journal: J\nfirst_page: 0\narticles:\n  - a.md\n  - gone.md\n  - a.md\n");
    m = manifest_load(p, &dl);
    CHECK(!m, "refused");
    CHECK(has_diag(&dl, 2, 13, "first_page"), "first_page 0 at 2:13");
    CHECK(has_diag(&dl, 5, 5, "cannot read article 'gone.md'"), "missing article at 5:5");
    CHECK(has_diag(&dl, 6, 5, "listed twice"), "duplicate at 6:5");
    g_free(p);
    diag_list_fini(&dl);
    diag_list_init(&dl);

    p = put(dir, "lang.yaml", "journal: J\nlang: de\nstyle: nosuchstyle\nfirst_page: 10\narticles: [a.md]\n");
    m = manifest_load(p, &dl);
    CHECK(!m && has_diag(&dl, 2, 7, "unsupported language 'de'"),
          "a language without cover and contents labels is an error at its value");
    g_free(p);
    diag_list_fini(&dl);
    diag_list_init(&dl);
    p = put(dir, "lang2.yaml", "journal: J\nlang: ru-RU\nstyle: nosuchstyle\nfirst_page: 10\narticles: [a.md]\n");
    m = manifest_load(p, &dl);
    CHECK(m && strcmp(m->lang, "ru-RU") == 0 && dl.errors == 0, "a regional tag of ru is fine");
    CHECK(m && m->first_page_line == 4 && m->first_page_col == 13 && m->style_line == 3 &&
              m->style_col == 8, "where first_page and style are (got %d:%d, %d:%d)",
          m ? m->first_page_line : 0, m ? m->first_page_col : 0, m ? m->style_line : 0,
          m ? m->style_col : 0);
    CHECK(m && manifest_check_style(m, dir, &dl) != 0 &&
              has_diag(&dl, 3, 8, "unknown style 'nosuchstyle'"),
          "a style name with no DATADIR/styles/NAME.yaml is an error at the manifest's style line");
    manifest_free(m);
    g_free(p);
    diag_list_fini(&dl);
    diag_list_init(&dl);
    p = put(dir, "style.yaml", "journal: J\nstyle: gone.yaml\narticles: [a.md]\n");
    m = manifest_load(p, &dl);
    CHECK(m && manifest_check_style(m, dir, &dl) != 0 && has_diag(&dl, 2, 8, "cannot read style"),
          "a style path that names no file is an error at the manifest's style line");
    manifest_free(m);
    g_free(p);
    diag_list_fini(&dl);
    diag_list_init(&dl);

    GString *deep = g_string_new("articles: ");
    for (int i = 0; i < 200; i++)
        g_string_append_c(deep, '[');
    p = put(dir, "deep.yaml", deep->str);
    m = manifest_load(p, &dl);
    CHECK(!m && has_diag(&dl, 1, 10 + MANIFEST_MAX_DEPTH, "nesting deeper"), "depth capped");
    g_string_free(deep, TRUE);
    g_free(p);
    diag_list_fini(&dl);
    const char *files[] = {"a.md", "b.md", "ok.yaml", "bad.yaml", "deep.yaml", "lang.yaml",
                           "lang2.yaml", "style.yaml"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char *f = g_build_filename(dir, files[i], NULL);
        g_remove(f);
        g_free(f);
    }
    g_rmdir(dir);
    g_free(dir);
}

/* dir and everything in it removed (a check, for the count). */
static void remove_tree(const char *dir)
{
    char *rm = g_strdup_printf("rm -rf '%s'", dir);
    CHECK(system(rm) == 0, "cleanup of %s", dir);
    g_free(rm);
}

/* The digests the cache remembers for files: trusted when a time of the
 * cache's file system taken before the reading is later than the file's
 * times (and, for a file on another file system, by two seconds more); not
 * for a file dated ahead, or changed since; in a later build, only when the
 * pack that holds them was written after the file's times. */
static void file_memo(void)
{
    char *dir = g_dir_make_tmp("ts-memo-XXXXXX", NULL);
    char *cdir = g_build_filename(dir, ".cache", NULL);
    g_mkdir(cdir, 0755);        /* (its times are the file system's clock) */
    IssueCache *cache = issuecache_open(cdir);
    char *f = put(dir, "a.md", "the bytes we read");
    char real[ISSUECACHE_HEX], got[ISSUECACHE_HEX];
    issuecache_file_sha(f, real);
    /* a file timestamped in the future: read, never trusted */
    struct timespec ts[2] = {{.tv_sec = time(NULL) + 100}, {.tv_sec = time(NULL) + 100}};
    utimensat(AT_FDCWD, f, ts, 0);
    CHECK(issuecache_file_sha_memo(cache, f, got) == 0 && strcmp(got, real) == 0 &&
              !issuecache_file_sha_known(cache, f),
          "a file whose times are ahead of the file system's is read, its digest not trusted");
    size_t plen = 0;
    struct stat st;
    stat(f, &st);
    char *pack = issuecache_pack_text(cache, time(NULL), &plen);
    char *stamp = g_strdup_printf(" %lld.%09ld ", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    CHECK(!strstr(pack, stamp), "... nor saved");
    g_free(stamp);
    g_free(pack);
    /* back in the past, the change (ctime) a tick ago: trusted */
    ts[0].tv_sec = ts[1].tv_sec = time(NULL) - 100;
    utimensat(AT_FDCWD, f, ts, 0);
    struct timespec pause = {0, 20 * 1000 * 1000};    /* a tick of the file system's clock, at least */
    nanosleep(&pause, NULL);
    CHECK(issuecache_file_sha_memo(cache, f, got) == 0 && strcmp(got, real) == 0 &&
              issuecache_file_sha_known(cache, f),
          "a file changed before the reading began has its digest trusted");
    /* saved, and read back by the next build */
    DiagList dl;
    diag_list_init(&dl);
    CHECK(issuecache_save(cache, 1, time(NULL), &dl) == 0, "the cache's pack is written");
    diag_list_fini(&dl);
    IssueCache *next = issuecache_open(cdir);
    CHECK(issuecache_file_sha_known(next, f), "the next build trusts the memo from the pack");
    issuecache_free(next);
    /* a pack whose own time is not later than the file's: not trusted */
    pack = issuecache_pack_text(cache, time(NULL), &plen);
    next = issuecache_open(NULL);
    stat(f, &st);
    struct timespec early = st.st_ctim;
    CHECK(issuecache_pack_read(next, pack, plen, &early) == 0 && !issuecache_file_sha_known(next, f),
          "a memo in a pack stamped no later than the file is not trusted");
    issuecache_free(next);
    g_free(pack);
    /* changed since: its ctime moved, the memo no longer applies */
    g_file_set_contents(f, "the bytes we read, changed", -1, NULL);
    issuecache_file_sha(f, real);
    CHECK(!issuecache_file_sha_known(cache, f) && issuecache_file_sha_memo(cache, f, got) == 0 &&
              strcmp(got, real) == 0,
          "a file rewritten since is read again");
    /* a file on another file system (here /dev/shm, where there is one),
     * changed a moment ago: not trusted until two seconds have passed */
    struct stat shm, cst;
    if (stat("/dev/shm", &shm) == 0 && S_ISDIR(shm.st_mode) && stat(cdir, &cst) == 0 &&
        shm.st_dev != cst.st_dev && access("/dev/shm", W_OK) == 0) {
        char *sdir = g_strdup("/dev/shm/ts-memo-shm-XXXXXX");
        char *o = NULL;
        if (!g_mkdtemp(sdir))
            g_clear_pointer(&sdir, g_free);
        if (sdir) {
            o = put(sdir, "b.md", "elsewhere");
            nanosleep(&pause, NULL);
            CHECK(issuecache_file_sha_memo(cache, o, got) == 0 && !issuecache_file_sha_known(cache, o),
                  "a file on another file system changed a moment ago is not trusted");
            g_remove(o);
            g_rmdir(sdir);
        }
        g_free(o);
        g_free(sdir);
    }
    issuecache_free(cache);
    remove_tree(dir);
    g_free(f);
    g_free(cdir);
    g_free(dir);
}

/* The cache's pack: texts with newlines and backslashes come back as they
 * went in; a pack cut short anywhere, at a line's end too, or with its count
 * wrong, gives nothing at all (a record changed in place, its line still
 * well formed, is taken as it reads); the newer of two texts under one
 * name wins; a whole save replaces the packs it read, a partial one adds a
 * pack of its own texts beside them; a whole save keeps the texts the
 * build used or put and recent ones. */
static void cache_pack(void)
{
    char *dir = g_dir_make_tmp("ts-pack-XXXXXX", NULL);
    char *cdir = g_build_filename(dir, ".cache", NULL);
    IssueCache *c = issuecache_open(cdir);
    const char odd[] = "line one\nback\\slash \\n not a newline\n\n";
    issuecache_text_put(c, "k1.doc", odd, strlen(odd));
    IssueCacheRecord r = {.pages = 17, .warnings = 2};
    issuecache_put(c, "k2", &r);
    issuecache_text_put(c, "bad/name", "x", 1);         /* refused: not a name */
    issuecache_text_put(c, "end", "x", 1);
    size_t len = 0;
    char *pack = issuecache_pack_text(c, time(NULL), &len);
    struct timespec now = {time(NULL) + 1, 0};
    IssueCache *d = issuecache_open(NULL);
    size_t got_len = 0;
    CHECK(issuecache_pack_read(d, pack, len, &now) == 0, "a whole pack reads");
    char *got = issuecache_text_get(d, "k1.doc", &got_len);
    CHECK(got && got_len == strlen(odd) && memcmp(got, odd, got_len) == 0,
          "a text with newlines and backslashes comes back as it went in");
    g_free(got);
    IssueCacheRecord back;
    CHECK(issuecache_get(d, "k2", &back) == 0 && back.pages == 17 && back.warnings == 2,
          "a record comes back");
    CHECK(!issuecache_text_get(d, "bad/name", NULL) && !issuecache_text_get(d, "end", NULL),
          "names that are not names are not kept");
    issuecache_free(d);
    for (size_t cut = 1; cut < len; cut += 7) {
        d = issuecache_open(NULL);
        CHECK(issuecache_pack_read(d, pack, len - cut, &now) != 0 && !issuecache_text_get(d, "k2", NULL),
              "a pack cut short by %zu bytes gives nothing", cut);
        issuecache_free(d);
    }
    /* cut after a whole line: every line parses, and only the count tells */
    for (const char *nl = pack; (nl = memchr(nl, '\n', len - (size_t)(nl - pack) - 1)); nl++) {
        d = issuecache_open(NULL);
        CHECK(issuecache_pack_read(d, pack, (size_t)(nl + 1 - pack), &now) != 0 &&
                  !issuecache_text_get(d, "k2", NULL),
              "a pack cut after its line ending at %zu gives nothing", (size_t)(nl - pack));
        issuecache_free(d);
    }
    char *wrong = g_strdup(pack);
    char *p = strstr(wrong, "pages 17");
    p[7] = '8';                                         /* the same length: taken */
    d = issuecache_open(NULL);
    CHECK(issuecache_pack_read(d, wrong, len, &now) == 0 && issuecache_get(d, "k2", &back) == 0 &&
              back.pages == 18, "a record changed in place is what the pack says");
    issuecache_free(d);
    g_free(wrong);
    wrong = g_strdup(pack);
    p = strstr(wrong, "end 2\n");
    p[4] = '3';
    d = issuecache_open(NULL);
    CHECK(issuecache_pack_read(d, wrong, len, &now) != 0 && !issuecache_text_get(d, "k1.doc", NULL),
          "a pack whose count is wrong gives nothing");
    issuecache_free(d);
    g_free(wrong);
    /* the newer of two wins, in either order */
    const char *older = "typeset cache pack 1\nk3 100 - old\nend 1\n";
    const char *newer = "typeset cache pack 1\nk3 200 - new\nend 1\n";
    for (int order = 0; order < 2; order++) {
        d = issuecache_open(NULL);
        issuecache_pack_read(d, order ? newer : older, strlen(older), &now);
        issuecache_pack_read(d, order ? older : newer, strlen(older), &now);
        got = issuecache_text_get(d, "k3", NULL);
        CHECK(got && strcmp(got, "new") == 0, "the text written later wins (order %d)", order);
        g_free(got);
        issuecache_free(d);
    }
    /* saves: a partial one beside, a whole one replacing */
    DiagList dl;
    diag_list_init(&dl);
    CHECK(issuecache_save(c, 0, time(NULL), &dl) == 0, "a partial save");
    IssueCache *e = issuecache_open(cdir);
    issuecache_text_put(e, "k4", "four", 4);
    CHECK(issuecache_save(e, 0, time(NULL), &dl) == 0, "another partial save");
    issuecache_free(e);
    char *ls = g_strdup_printf("test $(ls '%s' | grep -c '\\.pack$') -eq 2", cdir);
    CHECK(system(ls) == 0, "two partial saves leave two packs");
    g_free(ls);
    e = issuecache_open(cdir);
    got = issuecache_text_get(e, "k4", NULL);
    CHECK(got && issuecache_get(e, "k2", &back) == 0, "a build reads every pack");
    g_free(got);
    issuecache_text_put(e, "k5", "five", 4);
    CHECK(issuecache_save(e, 1, time(NULL), &dl) == 0, "a whole save");
    issuecache_free(e);
    ls = g_strdup_printf("test $(ls '%s' | grep -c '\\.pack$') -eq 1", cdir);
    CHECK(system(ls) == 0, "a whole save leaves one pack");
    g_free(ls);
    e = issuecache_open(cdir);
    got = issuecache_text_get(e, "k4", NULL);
    char *five = issuecache_text_get(e, "k5", NULL);
    CHECK(got && five && issuecache_get(e, "k2", &back) == 0, "... holding every text");
    g_free(got);
    g_free(five);
    issuecache_free(e);
    /* a whole save keeps what the build used or put, and recent texts */
    const char *aged = "typeset cache pack 1\nold 1000 - unused\nold2 1000 - used\n"
                       "new 1699999000 - recent\nend 3\n";
    e = issuecache_open(NULL);
    issuecache_pack_read(e, aged, strlen(aged), &now);
    g_free(issuecache_text_get(e, "old2", NULL));
    issuecache_text_put(e, "k6", "six", 3);
    g_free(pack);
    pack = issuecache_pack_text(e, 1700000000, &len);
    CHECK(!strstr(pack, "\nold ") && strstr(pack, "\nold2 ") && strstr(pack, "\nnew ") &&
              strstr(pack, "\nk6 ") && strstr(pack, "end 3\n"),
          "a whole pack keeps the texts used, put, or written in the last %d s, not others",
          ISSUECACHE_KEEP_UNUSED);
    issuecache_free(e);
    diag_list_fini(&dl);
    issuecache_free(c);
    g_free(pack);
    remove_tree(dir);
    g_free(cdir);
    g_free(dir);
}

/* The /ID digest: XXH3-128 in its canonical (big-endian) digits, the same on
 * any machine and whatever pieces it is fed in. */
static void id_digest(void)
{
    char hex[33], one[33];
    Digest *d = digest_new_id();
    digest_finish(d, hex, 16);
    CHECK(strcmp(hex, "99aa06d3014798d86001c324468d497f") == 0, "the /ID digest of nothing: %s",
          hex);
    size_t n = 100000;
    unsigned char *buf = g_malloc(n);
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)(i * 2654435761u >> 13);
    d = digest_new_id();
    digest_update(d, buf, n);
    digest_finish(d, one, 16);
    d = digest_new_id();
    for (size_t at = 0, step = 1; at < n; at += step, step = step * 3 % 997 + 1)
        digest_update(d, buf + at, at + step > n ? n - at : step);
    digest_finish(d, hex, 16);
    CHECK(strcmp(hex, one) == 0, "fed in uneven pieces, the same digest as at once (%s)", hex);
    d = digest_new_id();
    digest_update(d, buf, n - 1);
    digest_finish(d, hex, 16);
    CHECK(strcmp(hex, one) != 0, "a byte less, another digest");
    g_free(buf);
}

/* merged: the merge of front + part (read as given) with mo. */
static unsigned char *merge_with(const unsigned char *front, size_t fl, const unsigned char *pdf,
                                 size_t len, const PdfCatPart *read, size_t *out_len)
{
    PdfMergePart part = {.pdf = pdf, .len = len, .file = "a.pdf", .prefix = "a1-",
                         .title = "First", .title_dest = "a1-title", .read = read};
    PdfMergeOptions mo = {.post = {.epoch = 1700000000, .lang = "en"}, .first_folio = 4};
    DiagList dl;
    diag_list_init(&dl);
    unsigned char *out = NULL;
    if (pdfmerge_run(front, fl, &part, 1, &mo, &out, out_len, "issue.pdf", &dl) != 0) {
        free(out);
        out = NULL;
    }
    diag_list_fini(&dl);
    return out;
}

/* 1 when the index of r, as it is now, is refused for pdf. */
static int index_refused(const PdfCatPart *r, const unsigned char *pdf, size_t len)
{
    GBytes *ix = pdfcat_index_save(r);
    gsize xl = 0;
    const void *x = g_bytes_get_data(ix, &xl);
    PdfCatPart *q = pdfcat_index_load(pdf, len, x, xl);
    int refused = q == NULL;
    g_bytes_unref(ix);
    pdfcat_part_free(q);
    return refused;
}

/* The index of a part saved for the next build (pdfcatindex.c): loaded
 * with the same bytes, the merge is the same; with other bytes, damaged,
 * cut short or lying about its spans, it is refused. */
static void cat_index(void)
{
    size_t fl, l1, l2;
    unsigned char *front = tiny_pdf("i", "#a2-title", &fl);
    unsigned char *p1 = post(tiny_pdf("5", "#ref-1", &l1), &l1, 0);
    unsigned char *p2 = tiny_pdf("7", "#title", &l2);
    PdfCatPart *r1 = pdfcat_read(p1, l1);
    GBytes *ix = pdfcat_index_save(r1);
    gsize xl = 0;
    const unsigned char *x = ix ? g_bytes_get_data(ix, &xl) : NULL;
    PdfCatPart *back = x ? pdfcat_index_load(p1, l1, x, xl) : NULL;
    CHECK(r1 && back, "index: saved and loaded with the same bytes");
    size_t na = 0, nb = 0;
    unsigned char *a = merge_with(front, fl, p1, l1, r1, &na);
    unsigned char *b = back ? merge_with(front, fl, p1, l1, back, &nb) : NULL;
    CHECK(a && b && na == nb && memcmp(a, b, na) == 0,
          "index: the merge from the loaded part is the merge from the read one (%zu, %zu)", na, nb);
    CHECK(back && back->pages->len == r1->pages->len && back->refs->len == r1->refs->len &&
              back->outline->len == r1->outline->len && back->names->len == r1->names->len &&
              back->top->len == r1->top->len && back->max_used == r1->max_used,
          "index: the same pages, references, outline, names and structure");
    CHECK(!pdfcat_index_load(p2, l2, x, xl), "index: refused for another PDF's bytes");
    unsigned char *p1b = g_memdup2(p1, l1);
    p1b[l1 / 2] ^= 1;
    CHECK(!pdfcat_index_load(p1b, l1, x, xl), "index: refused when one byte of the PDF differs");
    int refused = 1;
    unsigned char *y = g_memdup2(x, xl);
    for (size_t i = 0; i < xl; i++) {       /* every byte flipped, in turn */
        y[i] ^= 0x20;
        PdfCatPart *q = pdfcat_index_load(p1, l1, y, xl);
        refused &= q == NULL;
        pdfcat_part_free(q);
        y[i] ^= 0x20;
    }
    for (size_t n = 0; n < xl; n += 1 + n / 8) {   /* cut short */
        PdfCatPart *q = pdfcat_index_load(p1, l1, y, n);
        refused &= q == NULL;
        pdfcat_part_free(q);
    }
    CHECK(refused, "index: refused when damaged or cut short (%zu bytes)", xl);
    /* a byte changed under a checksum made again: loaded or refused, never
     * read past the PDF or the index (the ASan and valgrind suites run
     * this) */
    for (size_t i = sizeof "typeset pdfcat index 1\n" - 1; i + 8 < xl; i++) {
        for (int v = 0; v < 3; v++) {
            y[i] = v == 0 ? 0x7f : v == 1 ? 0xff : (unsigned char)(x[i] + 1);
            XXH64_hash_t sum = XXH3_64bits(y, xl - 8);
            for (int k = 0; k < 8; k++)
                y[xl - 8 + k] = (unsigned char)(sum >> (8 * k));
            PdfCatPart *q = pdfcat_index_load(p1, l1, y, xl);
            size_t nq = 0;
            free(q ? merge_with(front, fl, p1, l1, q, &nq) : NULL);
            pdfcat_part_free(q);
        }
        memcpy(y, x, xl);
    }
    /* what an index says, checked against the PDF and itself (each part
     * changed, saved as an index with its checksum, and restored) */
    const char *lang1 = r1->lang.v1;
    r1->lang.v1 = r1->d.buf + l1 + 10;
    int rf = index_refused(r1, p1, l1);
    r1->lang.v1 = lang1;
    CHECK(rf, "index: refused when a span ends past the PDF");
    long long copied = 0;
    for (long long i = 1; i < r1->d.size && !copied; i++)
        if (r1->obj[i].nref > 0)
            copied = i;
    CHECK(copied > 0, "index: the part has an object with references");
    PcRef *ref = &g_array_index(r1->refs, PcRef, r1->obj[copied].ref0);
    guint32 at = ref->at;
    ref->at = (guint32)(r1->obj[copied].v1 - r1->obj[copied].v0);
    rf = index_refused(r1, p1, l1);
    ref->at = at;
    CHECK(rf, "index: refused when a reference lies outside its object");
    long long used = r1->max_used;
    r1->max_used = G_MAXINT64;      /* the merge adds it to the next part's first key */
    rf = index_refused(r1, p1, l1);
    r1->max_used = used;
    CHECK(rf, "index: refused when a parent-tree key is out of range");
    /* the page list against the page objects: a page listed twice, an
     * object marked a page but not listed (the merge would have rewritten
     * it as a page it has no entry for), no page at all */
    PcPage first = g_array_index(r1->pages, PcPage, 0);     /* (copied: the array may move) */
    g_array_append_val(r1->pages, first);
    rf = index_refused(r1, p1, l1);
    g_array_set_size(r1->pages, r1->pages->len - 1);
    CHECK(rf, "index: refused when a page is listed twice");
    long long dict = 0;
    for (long long i = 1; i < r1->d.size && !dict; i++) {
        const PcObj *o = &r1->obj[i];
        if (r1->kind[i] == PC_COPY && o->v0 && !o->s0 && !o->nref && o->v0[0] == '<' && o->v0[1] == '<')
            dict = i;
    }
    CHECK(dict > 0, "index: the part has a copied dictionary without references");
    r1->kind[dict] = PC_PAGE;
    rf = index_refused(r1, p1, l1);
    r1->kind[dict] = PC_COPY;
    CHECK(rf, "index: refused when a page object is not in the page list");
    GArray *pages = r1->pages;
    r1->pages = g_array_new(FALSE, FALSE, sizeof(PcPage));
    rf = index_refused(r1, p1, l1);
    g_array_free(r1->pages, TRUE);
    r1->pages = pages;
    CHECK(rf, "index: refused with no page");
    if (r1->lang.v0) {
        PcSpan lang = r1->lang;
        char *text = r1->lang_text;
        r1->lang = (PcSpan){NULL, NULL};
        r1->lang_text = text ? text : (char *)"en";
        rf = index_refused(r1, p1, l1);
        r1->lang = lang;
        r1->lang_text = text;
        CHECK(rf, "index: refused when a language has no value");
    }
    g_free(y);
    g_free(p1b);
    free(a);
    free(b);
    pdfcat_part_free(back);
    pdfcat_part_free(r1);
    if (ix)
        g_bytes_unref(ix);
    g_free(front);
    g_free(p1);
    g_free(p2);
}

int main(void)
{
    id_digest();
    numbering();
    sides();
    roman();
    for (int how = 0; how < MERGE_N; how++)
        merge(how);
    merge_hostile();
    file_memo();
    cache_pack();
    cat_refuses();
    cat_outline_title();
    cat_link_dests();
    cat_info();
    cat_index();
    manifest();
    return check_finish();
}
