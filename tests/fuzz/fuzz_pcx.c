/* fuzz_pcx.c — libFuzzer harness for the loader of the index a build keeps
 * of an article's PDF for the next (typeset/pdfcatindex.c,
 * pdfcat_index_load): an input is such an index, damaged or hostile, for a
 * fixed PDF (tests/fuzz/corpus/pdfcat/seed-breaks-cairo-post.pdf, a small
 * article as typeset writes it, with links, outline and structure).  Built
 * with FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, the loader skips the
 * index's checksum and the digest of the PDF it names (which would refuse
 * nearly every input), so that what follows them is fuzzed.  Whatever it
 * loads is merged, as a part, into an in-memory issue.
 *
 * A mutated index is rarely a well-formed one (its numbers are varints, each
 * count announces what follows), so an input that does not begin with the
 * index's magic is read as edits instead: eight bytes each, a field of the
 * part pdfcat_read made of the PDF, an index and a value; the part so edited
 * is saved as an index and loaded.  Those reach the checks of what the index
 * says against the PDF and against itself (kinds, page and structure lists,
 * references, keys, levels, spans).  Seeds: corpus/pcx/, the index of that
 * PDF and a few edits, written by this harness when TYPESET_PCX_SEED names a
 * directory (tests/fuzz/seed.sh). */
#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../typeset/pdfcat-private.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef PCX_PDF
#define PCX_PDF "tests/fuzz/corpus/pdfcat/seed-breaks-cairo-post.pdf"
#endif

static unsigned char *pdf;
static size_t pdf_len;
static PdfCatPart *front;

int LLVMFuzzerInitialize(int *argc, char **argv[])
{
    (void)argc;
    (void)argv;
    gchar *bytes = NULL;
    gsize len = 0;
    if (!g_file_get_contents(PCX_PDF, &bytes, &len, NULL) ||
        !(front = pdfcat_read((unsigned char *)bytes, len))) {
        fprintf(stderr, "fuzz_pcx: cannot read %s (run from the repository root)\n", PCX_PDF);
        exit(1);
    }
    pdf = (unsigned char *)bytes;
    pdf_len = len;
    const char *dir = getenv("TYPESET_PCX_SEED");
    if (dir) {
        GBytes *ix = pdfcat_index_save(front);
        gsize xl = 0;
        const void *x = g_bytes_get_data(ix, &xl);
        char *path = g_build_filename(dir, "seed-breaks-cairo-post.pcx", NULL);
        int ok = g_file_set_contents(path, x, (gssize)xl, NULL);
        g_free(path);
        /* edits (edit()): a kind, a page listed twice, a structure kid
         * added, a parent-tree key, an outline level, a reference moved */
        static const uint8_t edits[][8] = {
            {0, 5, 0, 0, 2, 0, 0, 0}, {6, 0, 0, 0, 1, 0, 0, 0}, {8, 7, 0, 0, 1, 0, 0, 0},
            {9, 0, 0, 0, 0x40, 0x42, 0x0f, 0}, {10, 1, 0, 0, 3, 0, 0, 0}, {5, 2, 0, 0, 0x41, 0, 0, 0},
        };
        for (size_t k = 0; k < sizeof edits / sizeof *edits && ok; k++) {
            char name[32];
            snprintf(name, sizeof name, "seed-edit-%zu", k + 1);
            path = g_build_filename(dir, name, NULL);
            ok = g_file_set_contents(path, (const char *)edits[k], 8, NULL);
            g_free(path);
        }
        g_bytes_unref(ix);
        pdfcat_part_free(front);
        g_free(pdf);
        exit(ok ? 0 : 1);
    }
    return 0;
}

/* An offset into the PDF from v: a span that stays inside it. */
static const char *at(long long v)
{
    return (const char *)pdf + (size_t)((unsigned long long)v % (pdf_len + 1));
}

/* The part pdfcat_read makes of the PDF, edited by each 8 bytes of data:
 * [0] which field, [1..3] which element, [4..7] the value. */
static void edit(PdfCatPart *q, const uint8_t *data, size_t size)
{
    for (size_t k = 0; k + 8 <= size; k += 8) {
        const uint8_t *e = data + k;
        unsigned i = (unsigned)e[1] | (unsigned)e[2] << 8 | (unsigned)e[3] << 16;
        int32_t v;
        memcpy(&v, e + 4, 4);
        long long n = q->d.size > 1 ? 1 + (long long)(i % (unsigned long long)(q->d.size - 1)) : 1;
        PcObj *o = &q->obj[n];
        switch (e[0] % 16) {
        case 0: q->kind[n] = (unsigned char)((unsigned)v % 8); break;
        case 1: o->v0 = at(v); if (!o->v1 || o->v1 < o->v0) o->v1 = o->v0; break;
        case 2: o->v1 = at(v); if (o->v0 && o->v1 < o->v0) o->v0 = o->v1; break;
        case 3: o->s0 = v ? at(v) : NULL; o->slen = 0; break;
        case 4: o->nref = (guint)v % 64; break;
        case 5:
            if (q->refs->len) {
                PcRef *r = &g_array_index(q->refs, PcRef, i % q->refs->len);
                if (v & 1) r->at = (guint32)v >> 1; else if (v & 2) r->len = (guint32)v >> 2; else r->num = v;
            }
            break;
        case 6: {
            PcPage pg = {.num = v};
            if (q->pages->len && (v & 3) == 0)
                g_array_set_size(q->pages, q->pages->len - 1);
            else if ((v & 3) == 1 && q->pages->len) {
                pg = g_array_index(q->pages, PcPage, 0);    /* (copied: the array may move) */
                g_array_append_val(q->pages, pg);
            }
            else if (q->pages->len)
                g_array_index(q->pages, PcPage, i % q->pages->len).num = (v & 3) == 2 ? n : v;
            else
                g_array_append_val(q->pages, pg);
            break;
        }
        case 7:
            if (q->pages->len)
                g_array_index(q->pages, PcPage, i % q->pages->len).mb[i % 4] = v / 16.0;
            break;
        case 8: {
            long long t = v & 1 ? n : v;
            if (q->top->len && (v & 2))
                g_array_index(q->top, long long, i % q->top->len) = t;
            else
                g_array_append_val(q->top, t);
            break;
        }
        case 9:
            if (q->nums->len)
                g_array_index(q->nums, PcNum, i % q->nums->len).key = v;
            break;
        case 10:
            if (q->outline->len)
                g_array_index(q->outline, PcItem, i % q->outline->len).level = v % 70;
            break;
        case 11: q->max_key = v; break;
        case 12: q->max_used = v; break;
        case 13: q->lang = (PcSpan){v ? at(v) : NULL, v ? at(v) : NULL}; break;
        case 14:
            g_free(q->lang_text);
            q->lang_text = v ? g_strdup("en") : NULL;
            break;
        default: q->info = (PcSpan){v ? at(v) : NULL, v ? at((long long)v + 8) : NULL}; break;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    PdfCatPart *p = NULL;
    if (size >= 8 && memcmp(data, "typeset pdfcat index", 8) == 0) {
        p = pdfcat_index_load(pdf, pdf_len, data, size);
    } else {
        PdfCatPart *q = pdfcat_read(pdf, pdf_len);
        edit(q, data, size);
        GBytes *ix = pdfcat_index_save(q);
        pdfcat_part_free(q);
        if (ix) {
            gsize xl = 0;
            const void *x = g_bytes_get_data(ix, &xl);
            p = pdfcat_index_load(pdf, pdf_len, x, xl);
            g_bytes_unref(ix);
        }
    }
    if (!p)
        return 0;
    DiagList dl;
    diag_list_init(&dl);
    PdfMergeOptions mo = {.post = {.epoch = 1700000000, .lang = "en", .title = "t", .producer = "p"},
                          .blank_width = 100, .blank_height = 120, .front_blank_label = "ii",
                          .first_folio = 3};
    PdfMergePart part = {.pdf = pdf, .len = pdf_len, .file = "in.pdf", .prefix = "a1-",
                         .title = "T", .title_dest = "a1-title", .blanks_before = 1};
    PdfCat *c = pdfcat_new(front, &mo, "issue.pdf", &dl);
    unsigned char *out = NULL;
    size_t n = 0;
    if (c && pdfcat_add(c, p, &part) == 0)
        pdfcat_finish(c, &out, &n);
    free(out);
    pdfcat_free(c);
    pdfcat_part_free(p);
    diag_list_fini(&dl);
    return 0;
}
