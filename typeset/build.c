/* build.c — the driver: read, compose, lay out (twice when the page range's
 * width moves the layout), paint, post-process, write atomically. */
#include "build.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../fonts/fontload.h"
#include "../layout/layout.h"
#include "compose.h"
#include "output.h"
#include "paint.h"
#include "pdfpost.h"
#include "source.h"
#include "style.h"

/* Lays the article out with the page range known: the first guess is one
 * page; when the real last page differs, compose and lay out again (the
 * number's width can change the masthead and citation lines; TeX users know
 * this as the second run). */
static int layout_article(LayEngine *eng, const Doc *doc, const Style *st, ComposeOptions *co,
                          LayResult *res, Arena *a, DiagList *dl)
{
    co->last_page = co->first_page;
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
static void line_warnings(const LayResult *r, const Style *st, const char *file, DiagList *dl)
{
    for (int i = 0; i < r->n_lines; i++) {
        const LayLine *l = &r->lines[i];
        if (l->overfull > 0.1)
            diag_add(dl, DIAG_WARNING, file, l->src_line, 1,
                     "overfull line (%.1fpt too wide) on page %d", l->overfull, l->page + 1);
        else if (l->justified && !l->last && l->ratio > 0) {
            double bad = 100.0 * l->ratio * l->ratio * l->ratio;
            if (bad > st->brk.tolerance && bad > 1000)
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

static int write_pdf(const BuildOptions *o, const Doc *doc, const Style *st, const LayResult *res,
                     const char *out_path, Arena *a, DiagList *dl)
{
    GString *kw = g_string_new(NULL);
    for (int i = 0; i < doc->meta.n_keywords; i++)
        g_string_append_printf(kw, "%s%s", i ? ", " : "", doc->meta.keywords[i]);
    GString *au = g_string_new(NULL);
    for (int i = 0; i < doc->meta.n_authors; i++)
        g_string_append_printf(au, "%s%s", i ? ", " : "", doc->meta.authors[i].name);
    char *date = iso_date(o->epoch);
    PaintMeta m = {
        .title = doc->meta.title,
        .author = au->len ? au->str : NULL,
        .subject = doc->meta.doi ? arena_printf(a, "doi:%s", doc->meta.doi) : NULL,
        .keywords = kw->len ? kw->str : NULL,
        .creator = "typeset " TS_VERSION,
        .date_iso = date,
    };
    PaintOptions po = {.width = st->page_width, .height = st->page_height, .tagged = 1};
    unsigned char *pdf = NULL, *fin = NULL;
    size_t len = 0, flen = 0;
    const char *err = NULL;
    int rc = paint_pdf(res, &po, &m, &pdf, &len, &err);
    if (rc != 0)
        diag_add(dl, DIAG_ERROR, out_path, 0, 0, "cairo could not write the PDF: %s", err);
    if (rc == 0) {
        PdfPostOptions pp = {
            .epoch = o->epoch >= 0 ? o->epoch : (long long)time(NULL),
            .lang = doc->meta.lang,
            .title = doc->meta.title,
            .producer = "typeset " TS_VERSION " (cairo " CAIRO_VERSION_STRING ")",
        };
        rc = pdfpost_run(pdf, len, &pp, &fin, &flen, out_path, dl);
    }
    if (rc == 0)
        rc = output_write_atomic(out_path, fin, flen, dl);
    g_free(pdf);
    free(fin);
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

int build_article(const BuildOptions *o, DiagList *dl)
{
    Arena a;
    arena_init(&a);
    Doc doc;
    memset(&doc, 0, sizeof doc);
    int rc = source_read_file(o->input, &doc, &a, dl);
    Style *st = style_load(o->style ? o->style : "rjwpln", o->datadir, dl);
    FontLib *fl = NULL;
    LayEngine *eng = NULL;
    LayResult res;
    memset(&res, 0, sizeof res);
    if (rc == 0 && st) {
        fl = fontlib_new(o->datadir, dl);
        rc = fl ? check_families(fl, st, dl) : -1;
    } else {
        rc = -1;
    }
    if (rc == 0) {
        eng = lay_engine_new(fontlib_fontmap(fl), NULL);
        char *dir = g_path_get_dirname(o->input);
        ComposeOptions co = {
            .first_page = o->first_page > 0 ? o->first_page
                          : doc.meta.first_page > 0 ? doc.meta.first_page : 1,
            .base_dir = dir,
        };
        rc = layout_article(eng, &doc, st, &co, &res, &a, dl);
        if (rc == 0)
            line_warnings(&res, st, o->input, dl);
        if (rc == 0 && dl->errors == 0 && !(o->strict && dl->warnings > 0) && !o->check_only) {
            char *out = o->output ? g_strdup(o->output) : NULL;
            if (!out) {
                char *d = output_default_path(o->input, ".pdf");
                out = g_strdup(d);
                free(d);
            }
            rc = write_pdf(o, &doc, st, &res, out, &a, dl);
            g_free(out);
        }
        g_free(dir);
    }
    lay_result_fini(&res);
    lay_engine_free(eng);
    fontlib_free(fl);
    style_free(st);
    arena_fini(&a);
    if (dl->errors > 0 || (o->strict && dl->warnings > 0))
        return -1;
    return rc;
}

int build_list_fonts(const char *datadir, const char *style, DiagList *dl)
{
    Style *st = style_load(style ? style : "rjwpln", datadir, dl);
    if (!st)
        return -1;
    FontLib *fl = fontlib_new(datadir, dl);
    if (!fl || check_families(fl, st, dl) != 0) {
        fontlib_free(fl);
        style_free(st);
        return -1;
    }
    static const struct { const char *script, *lang, *sample; } scripts[] = {
        {"latin", "en", "Typeset"}, {"cyrillic", "ru", "Набор"}, {"han", "zh-cn", "排版"}};
    printf("style %s (%s)\n", st->name ? st->name : "?", st->path ? st->path : "?");
    int rc = 0;
    for (int r = 0; r < ROLE_COUNT; r++) {
        const StyleRole *ro = &st->roles[r];
        const StyleFontSet *fs = &st->fontsets[ro->fontset >= 0 && ro->fontset < st->n_fontsets ? ro->fontset : 0];
        char *fam = g_strdup_printf("%s, %s", fs->latin ? fs->latin : "", fs->cjk ? fs->cjk : "");
        for (size_t k = 0; k < sizeof scripts / sizeof scripts[0]; k++) {
            char *path = fontlib_resolve(fl, fam, ro->bold, ro->italic, scripts[k].lang, scripts[k].sample);
            printf("%-14s %-9s %5.1fpt%s%s  %s\n", style_role_names[r], scripts[k].script, ro->size,
                   ro->bold ? " bold" : "", ro->italic ? " italic" : "", path ? path : "(none)");
            if (!path) {
                diag_add(dl, DIAG_ERROR, st->path, 0, 0, "no font covers %s text in role '%s'",
                         scripts[k].script, style_role_names[r]);
                rc = -1;
            }
            free(path);
        }
        g_free(fam);
    }
    fontlib_free(fl);
    style_free(st);
    return rc;
}
