/* issuemerge.c — see issuemerge.h.  A step runs under the merge's lock, so
 * the PdfMerge (one qpdf document) is used by one thread at a time; a thread
 * that finds the lock taken does other work instead of waiting. */
#include "issuemerge.h"

#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "issuefront.h"
#include "issuepages.h"
#include "output.h"
#include "paint.h"
#include "pdfcat.h"
#include "pdfmerge.h"

struct IssueMerge {
    Issue *is;
    GMutex lock;                /* held during a step */
    int next;                   /* 0: the front; k: article k (1-based) */
    int front_done;             /* atomic: next > 0, read without the lock */
    int folio;                  /* the folio after the articles appended */
    int start;                  /* the folio of the first page after the front */
    int n_front, blank;         /* front pages; 1 when a blank page follows them */
    int failed;                 /* a step failed (its error in dl) */
    int stale;                  /* the numbering moved under the steps taken */
    PdfMerge *pm;
    OutputFile *out;            /* issue.pdf's temporary file, written as the steps
                                   make it (write_out; the merge then lets those
                                   bytes go), or NULL */
    int out_off;                /* 1: not written so (it could not be opened, or
                                   qpdf merges): issuemerge_finish writes it whole */
    Arena a;                    /* the front's layout and the parts' strings */
    char **bufs;                /* article PDFs, alive as long as pm */
    unsigned char *front_pdf;
    DiagList dl;                /* the steps' diagnostics; the driver takes them */
    char *path, *title, *subject;
};

/* The viewer's title: "Journal, vol. 1, no. 1-2 (2022)". */
static char *issue_title(const DocMeta *m)
{
    GString *g = g_string_new(m->journal ? m->journal : "Journal issue");
    if (m->volume)
        g_string_append_printf(g, ", vol. %s", m->volume);
    if (m->number)
        g_string_append_printf(g, ", no. %s", m->number);
    if (m->year)
        g_string_append_printf(g, " (%s)", m->year);
    return g_string_free(g, FALSE);
}

IssueMerge *issuemerge_new(Issue *is)
{
    IssueMerge *im = xcalloc(1, sizeof *im);
    im->is = is;
    g_mutex_init(&im->lock);
    arena_init(&im->a);
    diag_list_init(&im->dl);
    im->bufs = xcalloc((size_t)is->n + 1, sizeof *im->bufs);
    const DocMeta *meta = &is->items[0].art->doc.meta;  /* carries the manifest's values */
    im->path = g_build_filename(is->o->outdir, "issue.pdf", NULL);
    im->title = issue_title(meta);
    im->subject = meta->issn ? g_strdup_printf("ISSN %s", meta->issn) : NULL;
    im->start = issuepages_start(is->m->first_page, is->style->recto_start);
    im->folio = im->start;
    return im;
}

static void drop_steps(IssueMerge *im)
{
    output_file_abort(im->out);
    im->out = NULL;
    im->out_off = 0;
    pdfmerge_free(im->pm);
    im->pm = NULL;
    for (int k = 0; k < im->is->n; k++) {
        g_free(im->bufs[k]);
        im->bufs[k] = NULL;
    }
    g_free(im->front_pdf);
    im->front_pdf = NULL;
    arena_fini(&im->a);
    arena_init(&im->a);
    im->next = 0;
    g_atomic_int_set(&im->front_done, 0);
    im->folio = im->start;
    im->stale = 0;
    im->failed = 0;
    diag_list_fini(&im->dl);    /* what the dropped steps said is said again */
    diag_list_init(&im->dl);
}

void issuemerge_restart(IssueMerge *im)
{
    g_mutex_lock(&im->lock);
    drop_steps(im);
    g_mutex_unlock(&im->lock);
}

void issuemerge_free(IssueMerge *im)
{
    if (!im)
        return;
    drop_steps(im);
    arena_fini(&im->a);
    diag_list_fini(&im->dl);
    g_mutex_clear(&im->lock);
    free(im->bufs);
    g_free(im->path);
    g_free(im->title);
    g_free(im->subject);
    free(im);
}

/* ---- the steps -------------------------------------------------------------------*/

/* The key of the cover and contents: everything they show or depend on (the
 * articles' titles, authors, languages, sections and first pages, not their
 * text; the manifest, its cover image, the style, the fonts, the program).
 * Not the PDF date: the merge replaces the front's dates with the issue's
 * (pdfcat.c drops them, pdfpost.c rewrites them after qpdf), so a rebuild
 * without SOURCE_DATE_EPOCH, dated now, still finds the front it made. */
static void front_key(const IssueMerge *im, char out[ISSUECACHE_HEX])
{
    const Issue *is = im->is;
    GString *g = g_string_new("front\n");
    char sha[ISSUECACHE_HEX];
    g_string_append_printf(g, "%s\n", is->overrides);
    const char *files[3] = {is->m->path, is->style->path, is->m->cover_image};
    for (int i = 0; i < 3; i++)
        if (files[i] && issuecache_file_sha(files[i], sha) == 0)
            g_string_append_printf(g, "file %d %s\n", i, sha);
    char *conf = g_build_filename(is->o->datadir, "fonts", "fonts.conf", NULL);
    if (issuecache_file_sha(conf, sha) == 0)
        g_string_append_printf(g, "fonts %s\n", sha);
    g_free(conf);
    for (int k = 0; k < is->n; k++) {
        const Item *it = &is->items[k];
        const DocMeta *dm = &it->art->doc.meta;
        g_string_append_printf(g, "%d %d %d %s\x1f%s\x1f", k, it->first, it->ma->section,
                               dm->title ? dm->title : "", dm->lang ? dm->lang : "");
        for (int a = 0; a < dm->n_authors; a++)
            g_string_append_printf(g, "%s\x1f", dm->authors[a].name ? dm->authors[a].name : "");
        g_string_append_c(g, '\n');
    }
    issuecache_sha(g->str, g->len, out);
    g_string_free(g, TRUE);
}

/* The cover and contents, laid out in c and painted (no post-pass: the merge
 * does it once for the whole issue); the merge starts from them. */
static int step_front(IssueMerge *im, TsContext **cp)
{
    Issue *is = im->is;
    const Manifest *m = is->m;
    Arena *a = &im->a;
    IssueFrontEntry *entries = arena_calloc(a, (size_t)is->n, sizeof *entries);
    for (int k = 0; k < is->n; k++) {
        Item *it = &is->items[k];
        entries[k] = (IssueFrontEntry){.meta = &it->art->doc.meta, .first_page = it->first,
                                       .dest = issuepages_dest(it->k, "title", a),
                                       .section = it->ma->section};
    }
    const DocMeta *meta = &is->items[0].art->doc.meta;
    const char **sections = arena_calloc(a, (size_t)m->n_sections + 1, sizeof *sections);
    for (int s = 0; s < m->n_sections; s++)
        sections[s] = m->sections[s].title;
    IssueFront f = {.file = m->path, .lang = m->lang, .journal = meta->journal, .issn = meta->issn,
                    .volume = meta->volume, .number = meta->number, .year = meta->year,
                    .cover_lines = m->cover_title, .n_cover_lines = m->n_cover_title,
                    .cover_image = m->cover_image, .cover_image_line = m->cover_image_line,
                    .cover_image_col = m->cover_image_col,
                    .sections = sections, .n_sections = m->n_sections, .entries = entries,
                    .n_entries = is->n};
    /* the cover and contents as a rebuild left them, when nothing they show
     * has changed (an edit inside an article leaves them as they were) */
    char key[ISSUECACHE_HEX];
    front_key(im, key);
    char *cached = g_strdup_printf("%s/%s.pdf", is->cache_dir, key);
    size_t len = 0;
    IssueCacheRecord rec;
    char id[ISSUECACHE_HEX];
    gsize glen = 0;
    if (issuecache_get(is->cache, key, &rec) == 0 && rec.pages > 0 && rec.pdf_sha[0] &&
        g_file_get_contents(cached, (char **)&im->front_pdf, &glen, NULL)) {
        issuecache_pdf_id(im->front_pdf, glen, id);
        if (strcmp(id, rec.pdf_sha) == 0) {
            im->n_front = rec.pages;
            len = glen;
            issuelog_line(is->log, "cover and contents: unchanged, from the cache");
        } else {
            g_free(im->front_pdf);
            im->front_pdf = NULL;
        }
    }
    if (!im->front_pdf && !*cp && !(*cp = issuebuild_take_context(is, NULL))) {
        /* a thread that has no context and cannot open one leaves the
         * step to one that has (issuemerge_finish always passes one) */
        g_free(cached);
        return 1;
    }
    if (!im->front_pdf) {
        TsContext *c = *cp;
        LayResult front;
        if (issuefront_layout(&f, is->style, c->engine, &front, a, &im->dl) != 0) {
            lay_result_fini(&front);    /* its glyph pool, even on failure */
            g_free(cached);
            return -1;
        }
        char date[32];
        time_t t = (time_t)is->pdf_epoch;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
        PaintMeta pm = {.title = im->title, .subject = im->subject, .creator = "typeset " TS_VERSION,
                        .date_iso = date};
        PaintOptions po = {.width = is->style->page_width, .height = is->style->page_height,
                           .tagged = 1, .fonts = fontlib_paint_fonts(c->fonts)};
        const char *err = NULL;
        int rc = paint_pdf(&front, &po, &pm, &im->front_pdf, &len, &err);
        im->n_front = front.n_pages;
        lay_result_fini(&front);
        if (rc != 0) {
            diag_add(&im->dl, DIAG_ERROR, im->path, 0, 0, "could not write the PDF: %s", err);
            g_free(cached);
            return -1;
        }
        rec = (IssueCacheRecord){.pages = im->n_front};
        issuecache_pdf_id(im->front_pdf, len, rec.pdf_sha);
        if (output_write_cache(cached, im->front_pdf, len, &im->dl) == 0)
            issuecache_put(is->cache, key, &rec);
    }
    g_free(cached);
    /* the first folio on its side of the sheet (issuepages.h), whatever the
     * style: a recto start only makes that folio odd */
    im->blank = issuepages_front_blanks(im->n_front, im->start);
    PdfMergeOptions mo = {
        .post = {.epoch = is->pdf_epoch, .lang = m->lang, .title = im->title,
                 .producer = "typeset " TS_VERSION},
        .blank_width = is->style->page_width, .blank_height = is->style->page_height,
        .front_blank_label = im->blank ? issuefront_roman(im->n_front + 1, a) : NULL,
        .first_folio = im->start};
    im->pm = pdfmerge_new(im->front_pdf, len, &mo, im->path, &im->dl);
    return im->pm ? 0 : -1;
}

/* Article k's PDF, as its job wrote it, after the blank pages its
 * first folio asks for. */
static int step_article(IssueMerge *im, Item *it)
{
    Issue *is = im->is;
    if (it->set_pages != it->pages) {   /* the articles after it move: numbered again */
        im->stale = 1;
        return 0;
    }
    char *file = arena_printf(&im->a, "%s/%s.pdf", is->o->outdir, it->ma->stem);
    PdfMergePart part = {.file = file,
                         .prefix = issuepages_dest(it->k, "", &im->a),
                         .title = it->art->doc.meta.title,
                         .title_dest = issuepages_dest(it->k, "title", &im->a),
                         .blanks_before = it->first > im->folio ? it->first - im->folio : 0};
    im->folio = it->first + it->set_pages;
    char **buf = &im->bufs[it->k - 1];
    g_free(*buf);
    if (it->pdf) {
        /* its bytes, read in its job (kept with the merge from now on) */
        *buf = (char *)it->pdf;
        part.pdf = it->pdf;
        part.len = it->pdf_len;
        part.read = it->read;
        it->pdf = NULL;
        int rc = pdfmerge_add(im->pm, &part);
        pdfcat_part_free(it->read);
        it->read = NULL;
        return rc;
    }
    /* its file, read here (it could not be read in its job) */
    gsize len = 0;
    GError *e = NULL;
    if (!g_file_get_contents(file, buf, &len, &e)) {
        diag_add(&im->dl, DIAG_ERROR, file, 0, 0, "cannot read it back for issue.pdf: %s", e->message);
        g_error_free(e);
        return -1;
    }
    part.pdf = (const unsigned char *)*buf;
    part.len = len;
    return pdfmerge_add(im->pm, &part);
}

/* The bytes the steps added, into issue.pdf's temporary file: the copying
 * and the disk's writing run beside the other threads' work instead of in
 * the one-thread end (9 ms of an incremental rebuild's 45 had been the
 * write and fsync of issue.pdf), which writes the trees and trailer only.
 * The lock held. */
static void write_out(IssueMerge *im)
{
    size_t len = 0;
    const char *p = im->out_off ? NULL : pdfmerge_bytes(im->pm, &len);
    if (!p) {
        output_file_abort(im->out);     /* (qpdf merges: finish writes it whole) */
        im->out = NULL;
        im->out_off = 1;
        return;
    }
    if (!im->out) {
        DiagList quiet;         /* (finish tries again, and says what is wrong) */
        diag_list_init(&quiet);
        im->out = output_file_open_unnamed(im->path, &quiet);
        diag_list_fini(&quiet);
        if (!im->out) {
            im->out_off = 1;
            return;
        }
    }
    output_file_append(im->out, p, len, 1);
    pdfmerge_drop(im->pm);
}

/* One step, the lock held.  Returns 1 when one was taken. */
static int step_locked(IssueMerge *im, TsContext **c)
{
    if (im->failed || im->stale || im->next > im->is->n)
        return 0;
    int rc;
    if (im->next == 0) {
        rc = step_front(im, c);
        if (rc == 1)
            return 0;               /* not taken: no context here */
    } else {
        Item *it = &im->is->items[im->next - 1];
        if (!g_atomic_int_get(&it->ready))
            return 0;
        if (it->failed)
            rc = -1;                    /* no issue.pdf: the driver says why */
        else
            rc = step_article(im, it);
        if (im->stale)
            return 0;
    }
    if (rc != 0)
        im->failed = 1;
    else
        write_out(im);
    im->next++;
    g_atomic_int_set(&im->front_done, 1);
    return 1;
}

int issuemerge_step(IssueMerge *im, TsContext **c)
{
    if (!g_mutex_trylock(&im->lock))
        return 0;
    int took = step_locked(im, c);
    g_mutex_unlock(&im->lock);
    return took;
}

int issuemerge_front_done(IssueMerge *im)
{
    return g_atomic_int_get(&im->front_done);
}

int issuemerge_finish(IssueMerge *im, TsContext *c)
{
    Issue *is = im->is;
    double t0 = issuelog_elapsed(is->log);
    if (im->stale)
        drop_steps(im);
    for (int k = 0; k < is->n; k++)
        g_atomic_int_set(&is->items[k].ready, 1);
    while (step_locked(im, &c))
        ;
    unsigned char *pdf = NULL;
    size_t len = 0;
    int pages = -1;
    int ok = !im->failed && !im->stale && pdfmerge_finish(im->pm, &pdf, &len) == 0;
    OutputFile *out = im->out;
    im->out = NULL;
    if (ok && out) {            /* the rest of the file: write_out wrote the steps' bytes */
        output_file_append(out, pdf, len, 0);
        ok = output_file_commit(out, &im->dl) == 0;
    } else {
        /* no file was written as the steps went (it could not be opened, or
         * qpdf merges): nothing was dropped, and pdf is the whole file */
        output_file_abort(out);
        ok = ok && output_write_atomic(im->path, pdf, len, &im->dl) == 0;
    }
    if (ok) {
        pages = im->n_front + im->blank + (im->folio - im->start);
        issuelog_line(is->log, "wrote %s, %d pages (the last merging steps and writing: %.2f s)",
                      im->path, pages, issuelog_elapsed(is->log) - t0);
        const char *why = pdfmerge_qpdf_because(im->pm);
        if (why)    /* slower, and worth knowing: a PDF edited by another program? */
            issuelog_line(is->log, "issue.pdf was merged by qpdf: %s is not in the shape "
                          "Cairo and the post-pass write", why);
    }
    free(pdf);
    pdfmerge_report_hidden(im->pm);     /* said now, whether or not it is freed */
    /* freeing qpdf's document of the whole issue takes half as long as
     * writing it: a process about to exit leaves it to issuemerge_free */
    if (!is->o->exiting) {
        pdfmerge_free(im->pm);
        im->pm = NULL;
    }
    diag_list_merge(&is->dl, &im->dl);
    return pages;
}
