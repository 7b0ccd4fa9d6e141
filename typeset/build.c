/* build.c — the `build`, `check` and `fonts` commands on top of article.c. */
#include "build.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "output.h"
#include "report.h"

int build_article(const BuildOptions *o, DiagList *dl)
{
    TsContext ctx;
    Article *art = article_open(o->input, dl);
    int rc = ctx_open(&ctx, o->datadir, o->style, NULL, dl);
    if (art && rc == 0) {
        rc = article_layout(art, &ctx, o->first_page, dl);
        if (rc == 0 && o->report)
            rc = report_write(&art->result,
                              style_linebreak(ctx.style, art->doc.meta.lang ? art->doc.meta.lang : "en")->tolerance,
                              o->input, o->report, dl);
        int ok = rc == 0 && dl->errors == 0 && !(o->strict && dl->warnings > 0);
        if (ok && !o->check_only) {
            char *out = o->output ? xstrdup(o->output) : output_default_path(o->input, ".pdf");
            art->frames = o->frames;
            art->bleed_pt = MM_TO_PT(o->bleed_mm);
            art->marks_pt = o->marks ? MM_TO_PT(BUILD_MARKS_MM) : 0;
            rc = article_write_pdf(art, &ctx, out, o->epoch, dl);
            free(out);
        }
    }
    ctx_close(&ctx);   /* safe on a context ctx_open refused */
    article_free(art);
    if (!art || dl->errors > 0 || (o->strict && dl->warnings > 0))
        return -1;
    return rc;
}

int build_list_fonts(const char *datadir, const char *style, DiagList *dl)
{
    TsContext ctx;
    if (ctx_open(&ctx, datadir, style, NULL, dl) != 0)
        return -1;
    const Style *st = ctx.style;
    static const struct { const char *script, *lang, *sample; } scripts[] = {
        {"latin", "en", "Typeset"}, {"cyrillic", "ru", "Набор"}, {"han", "zh-cn", "排版"}};
    printf("style %s (%s)\n", st->name ? st->name : "?", st->path ? st->path : "?");
    int rc = 0;
    for (int r = 0; r < ROLE_COUNT; r++) {
        const StyleRole *ro = &st->roles[r];
        const StyleFontSet *fs = &st->fontsets[ro->fontset >= 0 && ro->fontset < st->n_fontsets ? ro->fontset : 0];
        char *fam = g_strdup_printf("%s, %s", fs->latin ? fs->latin : "", fs->cjk ? fs->cjk : "");
        for (size_t k = 0; k < sizeof scripts / sizeof scripts[0]; k++) {
            char *path = fontlib_resolve(ctx.fonts, fam, ro->bold, ro->italic, scripts[k].lang,
                                         scripts[k].sample);
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
    ctx_close(&ctx);
    return rc;
}
