/* pdfpost.c — the qpdf pass over Cairo's PDF (see pdfpost.h).
 *
 * Cairo 1.16 has no API for print boxes, writes Info dates without the "D:"
 * prefix and writes no /ID (LIBRARY-NOTES §1, §3), so the renderer's output
 * goes through libqpdf once: read from memory, edit objects, write to memory.
 *
 * Error handling follows qpdf-c.h "ERROR HANDLING": most object functions
 * return a fallback value instead of an error code, so pp_ok() is called after
 * every step; it turns a pending error into our diagnostic and drains the
 * warnings qpdf collected meanwhile.  qpdf_silence_errors and
 * qpdf_set_suppress_warnings keep the library off stderr. */
#include "pdfpost.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pdfappend.h"
#include "pdfpp.h"

/* qpdf can emit a warning per damaged object; past this many we only count. */
#define PP_MAX_WARNINGS 10
/* Pages trees are shallow; a deeper /Parent chain is a cycle or an attack. */
#define PP_MAX_TREE_DEPTH 64
/* Box coordinates are written with this many decimals (1/10000 pt). */
#define PP_BOX_DECIMALS 4


/* qpdf's message without the leading "<description>: " it adds (the
 * description is our file name, which the diagnostic already shows), keeping
 * a position such as "(object 3 0, offset 120): ". */
static const char *pp_text(const PpCtx *c, qpdf_error e)
{
    const char *t = qpdf_get_error_full_text(c->q, e);
    size_t n = strlen(c->desc);
    if (strncmp(t, c->desc, n) == 0) {
        t += n;
        if (t[0] == ':' && t[1] == ' ')
            t += 2;
        else if (t[0] == ' ')
            t++;
    }
    return t;
}

/* Moves qpdf's pending warnings into the diagnostics, or drops them (drop = 1:
 * after an error they only narrate the way to it). */
static void pp_drain_warnings(PpCtx *c, int drop)
{
    while (qpdf_more_warnings(c->q)) {
        qpdf_error w = qpdf_next_warning(c->q);
        if (!drop && c->warnings++ < PP_MAX_WARNINGS)
            diag_add(c->dl, DIAG_WARNING, c->file, 1, 1, "PDF post-pass: qpdf: %s",
                     pp_text(c, w));
    }
}

/* Returns 1 when the last qpdf calls succeeded; otherwise adds the error
 * (what = the step that failed) and returns 0. */
int pp_ok(PpCtx *c, const char *what)
{
    if (!qpdf_has_error(c->q)) {
        pp_drain_warnings(c, 0);
        return 1;
    }
    qpdf_error e = qpdf_get_error(c->q);
    diag_add(c->dl, DIAG_ERROR, c->file, 1, 1, "PDF post-pass failed (%s): %s", what,
             e ? pp_text(c, e) : "unknown qpdf error");
    pp_drain_warnings(c, 1);
    return 0;
}

/* Formats epoch as a PDF date "D:YYYYMMDDHHmmSS+00'00'" (PDF 32000-1 §7.9.4).
 * Returns 0, or -1 when the year is outside 0..9999. */
int pdfpost_format_date(long long epoch, char *buf, size_t size)
{
    time_t t = (time_t)epoch;
    struct tm tm;
    if ((long long)t != epoch || !gmtime_r(&t, &tm))
        return -1;
    long long year = (long long)tm.tm_year + 1900;
    if (year < 0 || year > 9999)
        return -1;
    snprintf(buf, size, "D:%04lld%02d%02d%02d%02d%02d+00'00'", year, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return 0;
}

/* Looks key up on node and, when absent, on its /Parent chain (inheritable
 * page attributes, PDF 32000-1 §7.7.3.4).  Returns 1 and sets *val when found. */
static int pp_inherited(PpCtx *c, qpdf_oh node, const char *key, qpdf_oh *val)
{
    for (int depth = 0; depth < PP_MAX_TREE_DEPTH; depth++) {
        if (!qpdf_oh_is_dictionary(c->q, node))
            return 0;
        if (qpdf_oh_has_key(c->q, node, key)) {
            *val = qpdf_oh_get_key(c->q, node, key);
            return 1;
        }
        node = qpdf_oh_get_key(c->q, node, "/Parent");
    }
    return 0;
}

/* Reads page n's (possibly inherited) MediaBox as normalised llx lly urx ury. */
static int pp_media_box(PpCtx *c, qpdf_oh page, int n, double box[4])
{
    qpdf_oh mb;
    int found = pp_inherited(c, page, "/MediaBox", &mb);
    if (!pp_ok(c, "reading /MediaBox"))
        return -1;
    if (!found || !qpdf_oh_is_array(c->q, mb) || qpdf_oh_get_array_n_items(c->q, mb) != 4) {
        diag_add(c->dl, DIAG_ERROR, c->file, 1, 1,
                 "PDF post-pass: page %d has no usable /MediaBox (expected an array of 4 numbers)",
                 n);
        return -1;
    }
    for (int i = 0; i < 4; i++) {
        qpdf_oh v = qpdf_oh_get_array_item(c->q, mb, i);
        if (!qpdf_oh_is_number(c->q, v)) {
            diag_add(c->dl, DIAG_ERROR, c->file, 1, 1,
                     "PDF post-pass: page %d: /MediaBox item %d is not a number", n, i + 1);
            return -1;
        }
        box[i] = qpdf_oh_get_numeric_value(c->q, v);
    }
    if (!pp_ok(c, "reading /MediaBox"))
        return -1;
    /* a rectangle may name any two opposite corners (§7.9.5) */
    for (int i = 0; i < 2; i++) {
        if (box[i] > box[i + 2]) {
            double t = box[i];
            box[i] = box[i + 2];
            box[i + 2] = t;
        }
    }
    return 0;
}

/* Sets page[key] to box inset by d on every side. */
static void pp_set_box(PpCtx *c, qpdf_oh page, const char *key, const double mb[4], double d)
{
    const double v[4] = {mb[0] + d, mb[1] + d, mb[2] - d, mb[3] - d};
    qpdf_oh arr = qpdf_oh_new_array(c->q);
    for (int i = 0; i < 4; i++)
        qpdf_oh_append_item(c->q, arr, qpdf_oh_new_real_from_double(c->q, v[i], PP_BOX_DECIMALS));
    qpdf_oh_replace_key(c->q, page, key, arr);
}

int pp_boxes(PpCtx *c, const PdfPostOptions *o)
{
    int npages = qpdf_get_num_pages(c->q);
    if (!pp_ok(c, "reading the page tree"))
        return -1;
    if (npages < 1) {
        diag_add(c->dl, DIAG_ERROR, c->file, 1, 1, "PDF post-pass: the PDF has no pages");
        return -1;
    }
    double bleed = o->bleed_pt > 0 ? o->bleed_pt : 0;
    double marks = o->marks_pt > 0 ? o->marks_pt : 0;
    for (int i = 0; i < npages; i++) {
        qpdf_oh page = qpdf_get_page_n(c->q, (size_t)i);
        if (!pp_ok(c, "reading a page"))
            return -1;
        double mb[4];
        if (pp_media_box(c, page, i + 1, mb) < 0)
            return -1;
        double inset = bleed + marks;
        if (2 * inset >= mb[2] - mb[0] || 2 * inset >= mb[3] - mb[1]) {
            diag_add(c->dl, DIAG_ERROR, c->file, 1, 1,
                     "PDF post-pass: page %d: bleed %.3fpt + marks %.3fpt leave no trim area "
                     "on a %.3f x %.3fpt page",
                     i + 1, bleed, marks, mb[2] - mb[0], mb[3] - mb[1]);
            return -1;
        }
        pp_set_box(c, page, "/TrimBox", mb, inset);
        pp_set_box(c, page, "/BleedBox", mb, marks);
        if (!pp_ok(c, "setting /TrimBox and /BleedBox"))
            return -1;
    }
    return 0;
}

/* The document Info dictionary, created when cairo wrote none. */
static qpdf_oh pp_info(PpCtx *c)
{
    qpdf_oh trailer = qpdf_get_trailer(c->q);
    qpdf_oh info = qpdf_oh_get_key(c->q, trailer, "/Info");
    if (!qpdf_oh_is_dictionary(c->q, info)) {
        info = qpdf_make_indirect_object(c->q, qpdf_oh_new_dictionary(c->q));
        qpdf_oh_replace_key(c->q, trailer, "/Info", info);
    }
    return info;
}

int pp_metadata(PpCtx *c, const PdfPostOptions *o)
{
    char date[64];
    if (pdfpost_format_date(o->epoch, date, sizeof date) < 0) {
        diag_add(c->dl, DIAG_ERROR, c->file, 1, 1,
                 "PDF post-pass: date %lld (seconds since 1970) is outside the years 0..9999",
                 o->epoch);
        return -1;
    }
    qpdf_oh info = pp_info(c);
    if (!pp_ok(c, "reading /Info"))
        return -1;
    qpdf_oh_replace_key(c->q, info, "/CreationDate", qpdf_oh_new_string(c->q, date));
    qpdf_oh_replace_key(c->q, info, "/ModDate", qpdf_oh_new_string(c->q, date));
    if (o->producer)
        qpdf_oh_replace_key(c->q, info, "/Producer",
                            qpdf_oh_new_unicode_string(c->q, o->producer));
    if (o->title && !qpdf_oh_has_key(c->q, info, "/Title"))
        qpdf_oh_replace_key(c->q, info, "/Title", qpdf_oh_new_unicode_string(c->q, o->title));
    if (!pp_ok(c, "setting /Info"))
        return -1;

    qpdf_oh root = qpdf_get_root(c->q);
    if (!pp_ok(c, "reading the catalog"))
        return -1;
    if (o->lang)
        qpdf_oh_replace_key(c->q, root, "/Lang", qpdf_oh_new_unicode_string(c->q, o->lang));
    if (o->title) {
        qpdf_oh vp = qpdf_oh_get_key(c->q, root, "/ViewerPreferences");
        if (!qpdf_oh_is_dictionary(c->q, vp)) {
            vp = qpdf_oh_new_dictionary(c->q);
            qpdf_oh_replace_key(c->q, root, "/ViewerPreferences", vp);
        }
        qpdf_oh_replace_key(c->q, vp, "/DisplayDocTitle", qpdf_oh_new_bool(c->q, QPDF_TRUE));
    }
    return pp_ok(c, "setting the catalog") ? 0 : -1;
}

int pp_write(PpCtx *c, unsigned char **out, size_t *out_len)
{
    qpdf_init_write_memory(c->q);
    if (!pp_ok(c, "starting to write"))
        return -1;
    qpdf_set_deterministic_ID(c->q, QPDF_TRUE);
    qpdf_set_object_stream_mode(c->q, c->plain_xref ? qpdf_o_disable : qpdf_o_generate);
    /* streams are copied as Cairo compressed them, never decoded and re-encoded */
    qpdf_set_stream_data_mode(c->q, qpdf_s_preserve);
    if (!pp_ok(c, "setting write options"))
        return -1;
    qpdf_write(c->q);
    if (!pp_ok(c, "writing"))
        return -1;
    size_t n = qpdf_get_buffer_length(c->q);
    const unsigned char *buf = qpdf_get_buffer(c->q);
    if (!pp_ok(c, "fetching the written PDF"))
        return -1;
    if (!buf || n == 0) {
        diag_add(c->dl, DIAG_ERROR, c->file, 1, 1, "PDF post-pass: qpdf wrote nothing");
        return -1;
    }
    *out = xmalloc(n);
    memcpy(*out, buf, n);
    *out_len = n;
    return 0;
}

int pp_open(PpCtx *c, const unsigned char *in, size_t len, const char *file, DiagList *dl)
{
    *c = (PpCtx){.q = qpdf_init(), .file = file, .desc = file ? file : "cairo", .dl = dl};
    qpdf_silence_errors(c->q);
    qpdf_set_suppress_warnings(c->q, QPDF_TRUE);
    /* qpdf would "recover" any bytes into an error about trailers: say it plainly
     * (a header may follow up to 1024 bytes of junk, PDF 32000-1 §7.5.2 note) */
    if (!memmem(in, len < 1024 ? len : 1024, "%PDF-", 5)) {
        diag_add(dl, DIAG_ERROR, file, 1, 1,
                 "PDF post-pass: the input is not a PDF (no %%PDF- header in %zu bytes)", len);
        return -1;
    }
    /* qpdf_read_memory does not copy: in must outlive c->q */
    qpdf_read_memory(c->q, c->desc, (const char *)in, (unsigned long long)len, NULL);
    return pp_ok(c, "reading the PDF") ? 0 : -1;
}

void pp_report_hidden(PpCtx *c)
{
    if (c->warnings > PP_MAX_WARNINGS && !c->hidden_said) {
        diag_add(c->dl, DIAG_WARNING, c->file, 1, 1, "PDF post-pass: %d more qpdf warnings not shown",
                 c->warnings - PP_MAX_WARNINGS);
        c->hidden_said = 1;
    }
}

void pp_close(PpCtx *c)
{
    pp_report_hidden(c);
    qpdf_cleanup(&c->q);
}

static int pdfpost_rewrite(const unsigned char *in, size_t len, const PdfPostOptions *o,
                           unsigned char **out, size_t *out_len, const char *file, DiagList *dl)
{
    *out = NULL;
    *out_len = 0;
    PpCtx c;
    int rc = -1;
    int ok = pp_open(&c, in, len, file, dl) == 0;
    c.plain_xref = o->plain_xref;
    if (ok && pp_boxes(&c, o) == 0 && pp_metadata(&c, o) == 0 && pp_write(&c, out, out_len) == 0)
        rc = 0;
    pp_close(&c);
    return rc;
}

int pdfpost_run(const unsigned char *in, size_t len, const PdfPostOptions *o,
                unsigned char **out, size_t *out_len, const char *file, DiagList *dl)
{
    if (!o->plain_xref && !o->rewrite) {
        int rc = pdfappend_run(in, len, o, out, out_len, file, dl);
        if (rc != PDFAPPEND_UNKNOWN)
            return rc;
    }
    return pdfpost_rewrite(in, len, o, out, out_len, file, dl);
}
