/* article.c — see article.h. */
#include "article.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "compose.h"
#include "frames.h"
#include "output.h"
#include "paint.h"
#include "pdfpost.h"
#include "source.h"

/* Lays the article out with the page range known: the first guess is
 * co->last_page as the caller set it; when the real last page differs,
 * compose and lay out again (the number's width can change the masthead and
 * citation lines; TeX users know this as the second run). */
static int layout_article(LayEngine *eng, const Doc *doc, const Style *st, ComposeOptions *co,
                          LayResult *res, Arena *a, DiagList *dl)
{
    for (int round = 0; round < 4; round++) {
        LayInput in;
        DiagList tmp;
        diag_list_init(&tmp);
        int rc = compose_article(doc, st, co, &in, a, &tmp);
        if (rc == 0)
            rc = lay_run(eng, &in, res, a, &tmp);
        int last = co->first_page + res->n_pages - 1;
        if (rc != 0 || last == co->last_page || round == 3) {
            diag_list_merge(dl, &tmp);
            diag_list_fini(&tmp);
            return rc;
        }
        diag_list_fini(&tmp);
        co->last_page = last;
        lay_result_fini(res);
    }
    return 0;
}

/* TeX-style warnings for lines the breaker could not set well. */
static void line_warnings(const LayResult *r, const Style *st, const char *lang, const char *file,
                          DiagList *dl)
{
    int tolerance = style_linebreak(st, lang ? lang : "en")->tolerance;
    for (int i = 0; i < r->n_lines; i++) {
        const LayLine *l = &r->lines[i];
        if (l->overfull > 0.1)
            diag_add(dl, DIAG_WARNING, file, l->src_line, 1,
                     "overfull line (%.1fpt too wide) on page %d", l->overfull, l->page + 1);
        else if (l->justified && !l->last && l->ratio > 0) {
            double bad = 100.0 * l->ratio * l->ratio * l->ratio;
            if (bad > tolerance && bad > 1000)
                diag_add(dl, DIAG_WARNING, file, l->src_line, 1,
                         "underfull line (badness %.0f) on page %d", bad > 10000 ? 10000 : bad,
                         l->page + 1);
        }
    }
}

static char *iso_date(long long epoch)
{
    time_t t = epoch >= 0 ? (time_t)epoch : time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return g_strdup(buf);
}

static int render_pdf(long long epoch, const Doc *doc, const Style *st, PaintFonts *fonts,
                      const LayResult *res, int frames, double bleed, double marks, const char *out_path, Arena *a, unsigned char **fin,
                      size_t *flen, DiagList *dl)
{
    GString *kw = g_string_new(NULL);
    for (int i = 0; i < doc->meta.n_keywords; i++)
        g_string_append_printf(kw, "%s%s", i ? ", " : "", doc->meta.keywords[i]);
    GString *au = g_string_new(NULL);
    for (int i = 0; i < doc->meta.n_authors; i++)
        g_string_append_printf(au, "%s%s", i ? ", " : "", doc->meta.authors[i].name);
    char *date = iso_date(epoch);
    char pdfdate[64];           /* only checked here, before either painter writes it */
    if (pdfpost_format_date(epoch >= 0 ? epoch : (long long)time(NULL), pdfdate, sizeof pdfdate) < 0) {
        diag_add(dl, DIAG_ERROR, out_path, 1, 1,
                 "the PDF's date %lld (seconds since 1970) is outside the years 0..9999", epoch);
        g_free(date);
        g_string_free(kw, TRUE);
        g_string_free(au, TRUE);
        return -1;
    }
    PaintMeta m = {
        .title = doc->meta.title,
        .author = au->len ? au->str : NULL,
        .subject = doc->meta.doi ? arena_printf(a, "doi:%s", doc->meta.doi) : NULL,
        .keywords = kw->len ? kw->str : NULL,
        .creator = "typeset " TS_VERSION,
        .date_iso = date,
        .lang = doc->meta.lang,
    };
    int final_done = 0;
    PaintOptions po = {.width = st->page_width, .height = st->page_height, .tagged = 1,
                       .bleed = bleed, .marks = marks, .fonts = fonts, .final = 1,
                       .final_done = &final_done};
    FramesOverlay fo = {.result = res, .style = st, .bleed = bleed};
    if (frames) {
        po.overlay = frames_overlay;
        po.overlay_data = &fo;
    }
    unsigned char *pdf = NULL;
    size_t len = 0;
    const char *err = NULL;
    int rc = paint_pdf(res, &po, &m, &pdf, &len, &err);
    if (rc != 0)
        diag_add(dl, DIAG_ERROR, out_path, 0, 0, "could not write the PDF: %s", err);
    if (rc == 0 && final_done) {    /* our writer's: nothing left for the post-pass */
        *fin = pdf;
        *flen = len;
        pdf = NULL;
    } else if (rc == 0) {
        PdfPostOptions pp = {
            .bleed_pt = bleed,
            .marks_pt = marks,
            .epoch = epoch >= 0 ? epoch : (long long)time(NULL),
            .lang = doc->meta.lang,
            .title = doc->meta.title,
            .producer = "typeset " TS_VERSION,
        };
        rc = pdfpost_run(pdf, len, &pp, fin, flen, out_path, dl);
    }
    g_free(pdf);
    g_free(date);
    g_string_free(kw, TRUE);
    g_string_free(au, TRUE);
    return rc;
}

/* Every family a style names must be in the font configuration: fontconfig
 * would otherwise substitute another face without a word. */
static int check_families(FontLib *fl, const Style *st, DiagList *dl)
{
    int rc = 0;
    for (int i = 0; i < st->n_fontsets; i++) {
        const char *fam[2] = {st->fontsets[i].latin, st->fontsets[i].cjk};
        for (int k = 0; k < 2; k++)
            if (fam[k] && *fam[k] && !fontlib_has_family(fl, fam[k])) {
                diag_add(dl, DIAG_ERROR, st->path, 0, 0,
                         "font set '%s' names family '%s', which no font in fonts/fonts.conf provides",
                         st->fontsets[i].name, fam[k]);
                rc = -1;
            }
    }
    return rc;
}

int ctx_open(TsContext *c, const char *datadir, const char *style, Style *shared, DiagList *dl)
{
    memset(c, 0, sizeof *c);
    c->datadir = datadir;
    if (shared) {
        c->style = shared;
        c->shared_style = 1;
    } else {
        c->style = style_load(style ? style : "rjwpln", datadir, dl);
        if (!c->style)
            return -1;
    }
    c->fonts = fontlib_new(datadir, dl);
    if (!c->fonts || check_families(c->fonts, c->style, dl) != 0) {
        ctx_close(c);
        return -1;
    }
    c->engine = lay_engine_new(fontlib_fontmap(c->fonts), NULL);
    return 0;
}

int ctx_set_style(TsContext *c, Style *st, DiagList *dl)
{
    if (check_families(c->fonts, st, dl) != 0)
        return -1;
    if (!c->shared_style)
        style_free(c->style);
    c->style = st;
    c->shared_style = 0;
    return 0;
}

void ctx_close(TsContext *c)
{
    lay_engine_free(c->engine);
    fontlib_free(c->fonts);
    if (!c->shared_style)
        style_free(c->style);
    memset(c, 0, sizeof *c);
}

Article *article_open_buffer(const char *name, const char *buf, size_t len, DiagList *dl)
{
    Article *art = xcalloc(1, sizeof *art);
    arena_init(&art->arena);
    arena_init(&art->layout);
    if (source_read_buffer(name, buf, len, &art->doc, &art->arena, dl) != 0) {
        article_free(art);
        return NULL;
    }
    return art;
}

static Article *open_path(const char *path, DiagList *dl, int light)
{
    Article *art = xcalloc(1, sizeof *art);
    arena_init(&art->arena);
    arena_init(&art->layout);
    if ((light ? source_read_file_light : source_read_file)(path, &art->doc, &art->arena, dl) != 0) {
        article_free(art);
        return NULL;
    }
    return art;
}

Article *article_open(const char *path, DiagList *dl)
{
    return open_path(path, dl, 0);
}

Article *article_open_light(const char *path, DiagList *dl)
{
    return open_path(path, dl, 1);
}

int article_complete(Article *art, DiagList *dl)
{
    return source_complete(&art->doc, &art->arena, dl);
}

void article_drop_layout(Article *art)
{
    if (art->laid_out) {
        lay_result_fini(&art->result);
        art->laid_out = 0;
    }
    arena_reset(&art->layout);
}

int article_layout(Article *art, TsContext *c, int first_page, DiagList *dl)
{
    article_drop_layout(art);
    if (art->doc.light && article_complete(art, dl) != 0)
        return -1;
    char *dir = g_path_get_dirname(art->doc.path);
    ComposeOptions co = {
        .first_page = first_page > 0 ? first_page
                      : art->doc.meta.first_page > 0 ? art->doc.meta.first_page : 1,
        .base_dir = dir,
    };
    /* one page unless the caller knows better: a right guess saves a round */
    co.last_page = co.first_page + (art->expect_pages > 1 ? art->expect_pages - 1 : 0);
    int rc = layout_article(c->engine, &art->doc, c->style, &co, &art->result, &art->layout, dl);
    g_free(dir);
    art->laid_out = 1;
    art->first_page = co.first_page;
    art->last_page = co.first_page + art->result.n_pages - 1;
    if (rc == 0)
        line_warnings(&art->result, c->style, art->doc.meta.lang, art->doc.path, dl);
    return rc;
}

int article_pages(const Article *art)
{
    return art->result.n_pages;
}

int article_render_pdf(const Article *art, const TsContext *c, long long epoch, unsigned char **out,
                       size_t *out_len, DiagList *dl)
{
    return render_pdf(epoch, &art->doc, c->style, fontlib_paint_fonts(c->fonts), &art->result, art->frames, art->bleed_pt, art->marks_pt, art->doc.path,
                      (Arena *)&art->arena, out, out_len, dl);
}

int article_write_pdf(const Article *art, const TsContext *c, const char *out_path, long long epoch,
                      DiagList *dl)
{
    if (output_is_file(out_path, art->doc.path)) {
        diag_add(dl, DIAG_ERROR, out_path, 1, 1,
                 "output '%s' is the article's source file: not overwriting it", out_path);
        return -1;
    }
    unsigned char *pdf = NULL;
    size_t len = 0;
    int rc = render_pdf(epoch, &art->doc, c->style, fontlib_paint_fonts(c->fonts), &art->result, art->frames, art->bleed_pt, art->marks_pt, out_path,
                        (Arena *)&art->arena, &pdf, &len, dl);
    if (rc == 0)
        rc = output_write_atomic(out_path, pdf, len, dl);
    free(pdf);
    return rc;
}

void article_free(Article *art)
{
    if (!art)
        return;
    if (art->laid_out)
        lay_result_fini(&art->result);
    arena_fini(&art->layout);
    arena_fini(&art->arena);
    free(art);
}
