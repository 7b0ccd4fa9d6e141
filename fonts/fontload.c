/* fontload.c — the private font configuration: a fresh FcConfig that includes
 * DATADIR/fonts/fonts.conf and nothing else (no /etc/fonts, no conf.d), wrapped
 * in a Cairo/FreeType Pango font map.  Every FontLib owns its config and map;
 * there is no global state, so threads may each create their own. */
#include "fontload.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-font.h>
#include <pango/pangofc-fontmap.h>

struct FontLib {
    PangoFontMap *fm;      /* holds the only reference to the FcConfig */
    PaintFonts *paint;     /* made on first use */
};

/* Text for an XML element body: paths may contain & or <. */
static char *xml_escape(const char *s)
{
    size_t n = 1;
    for (const char *p = s; *p; p++)
        n += (*p == '&') ? 5 : (*p == '<' || *p == '>') ? 4 : (*p == '"') ? 6 : 1;
    char *out = xmalloc(n), *o = out;
    for (const char *p = s; *p; p++) {
        const char *rep = *p == '&' ? "&amp;" : *p == '<' ? "&lt;" : *p == '>' ? "&gt;"
                        : *p == '"' ? "&quot;" : NULL;
        if (rep) {
            size_t k = strlen(rep);
            memcpy(o, rep, k);
            o += k;
        } else {
            *o++ = *p;
        }
    }
    *o = 0;
    return out;
}

/* mkdir -p with mode 0700; 0 on success (or if it already is a directory). */
/* strerror text starting in lower case, as diagnostics are. */
static const char *errtext(int err, char *buf, size_t size)
{
    const char *s = strerror_r(err, buf, size);
    if (s != buf) {
        snprintf(buf, size, "%s", s);
        s = buf;
    }
    buf[0] = (char)tolower((unsigned char)buf[0]);
    return s;
}

/* Pango up to 1.50.12 (Debian 12) takes a reference to the FcConfig in
 * pango_fc_font_map_set_config but never drops it when the map goes away
 * (later versions do, in finalize).  On those versions this weak-reference
 * callback drops it when the map is disposed: by then Pango's fontconfig
 * thread has released its own references (each queued job holds one on the
 * map and one on the config), and finalize no longer uses the config. */
static void release_config(gpointer cfg, GObject *fontmap)
{
    (void)fontmap;
    FcConfigDestroy(cfg);
}

/* Set once, by the fontlib_new that made its configuration fontconfig's
 * current one; cleared by fontlib_shutdown. */
static int made_current;

FontLib *fontlib_new(const char *datadir, DiagList *dl)
{
    char conf[PATH_MAX + 32], absdir[PATH_MAX], ebuf[256];
    snprintf(conf, sizeof conf, "%s/fonts/fonts.conf", datadir ? datadir : ".");
    /* fontconfig resolves a relative <include> against /etc/fonts, so the
     * include must name an absolute path. */
    if (!realpath(datadir ? datadir : ".", absdir)) {
        diag_add(dl, DIAG_ERROR, conf, 1, 1, "cannot read font configuration '%s': %s", conf,
                 errtext(errno, ebuf, sizeof ebuf));
        return NULL;
    }
    snprintf(conf, sizeof conf, "%s/fonts/fonts.conf", absdir);
    FILE *f = fopen(conf, "r");
    if (!f) {
        diag_add(dl, DIAG_ERROR, conf, 1, 1, "cannot read font configuration '%s': %s", conf,
                 errtext(errno, ebuf, sizeof ebuf));
        return NULL;
    }
    fclose(f);

    char *cache = base_user_cache_dir("fontconfig");
    char *econf = xml_escape(conf), *ecache = xml_escape(cache);
    size_t n = strlen(econf) + strlen(ecache) + 128;
    char *xml = xmalloc(n);
    snprintf(xml, n,
             "<fontconfig><include ignore_missing=\"no\">%s</include>"
             "<cachedir>%s</cachedir></fontconfig>", econf, ecache);
    free(econf);
    free(ecache);
    free(cache);

    FcConfig *cfg = FcConfigCreate();
    FontLib *fl = NULL;
    if (!cfg) {
        diag_add(dl, DIAG_ERROR, conf, 1, 1, "cannot create a fontconfig configuration");
    } else if (!FcConfigParseAndLoadFromMemory(cfg, (const FcChar8 *)xml, FcTrue)) {
        diag_add(dl, DIAG_ERROR, conf, 1, 1, "cannot load font configuration '%s'", conf);
    } else if (!FcConfigBuildFonts(cfg)) {
        diag_add(dl, DIAG_ERROR, conf, 1, 1, "cannot build the font list of '%s'", conf);
    } else {
        FcFontSet *set = FcConfigGetFonts(cfg, FcSetSystem);
        if (!set || set->nfont == 0) {
            diag_add(dl, DIAG_ERROR, conf, 1, 1,
                     "font configuration '%s' finds no font file (are fonts-paratype and "
                     "fonts-noto-cjk installed?)", conf);
        } else {
            /* Pango's first font map starts a thread that runs FcInit, which
             * loads the system's whole configuration and every font it lists
             * (30M instructions, a core's 7 ms while the layout threads want
             * both) unless fontconfig already has a current configuration:
             * ours, the first one made, which is also the only one a font
             * of this program should ever come from. */
            static gsize current;
            if (g_once_init_enter(&current)) {
                if (FcConfigSetCurrent(cfg))
                    made_current = 1;
                g_once_init_leave(&current, 1);
            }
            PangoFontMap *fm = pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT);
            if (!fm) {
                diag_add(dl, DIAG_ERROR, conf, 1, 1, "cairo has no FreeType font backend");
            } else {
                pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(fm), cfg);   /* refs cfg */
                if (pango_version() < PANGO_VERSION_ENCODE(1, 50, 13))
                    g_object_weak_ref(G_OBJECT(fm), release_config, cfg);
                fl = xcalloc(1, sizeof *fl);
                fl->fm = fm;
            }
        }
    }
    if (cfg)
        FcConfigDestroy(cfg);
    free(xml);
    return fl;
}

void fontlib_free(FontLib *fl)
{
    if (!fl)
        return;
    paint_fonts_free(fl->paint);    /* it holds fonts of fm */
    g_object_unref(fl->fm);
    free(fl);
}

/* fontconfig holds its current configuration until the process ends, and
 * keeps a pattern's elements by offset (struct _FcPattern's elts_offset), so
 * at exit LeakSanitizer reports the <rejectfont> patterns of fonts.conf as
 * lost.  Releasing the reference makes that configuration's end an ordinary
 * FcConfigDestroy, which frees them; a Pango job still running holds its own
 * reference. */
void fontlib_shutdown(void)
{
    if (made_current) {
        FcConfigSetCurrent(NULL);
        made_current = 0;
    }
}

PaintFonts *fontlib_paint_fonts(FontLib *fl)
{
    if (!fl->paint)
        fl->paint = paint_fonts_new();
    return fl->paint;
}

PangoFontMap *fontlib_fontmap(FontLib *fl)
{
    return fl->fm;
}

/* Characters that need no glyph to count as covered. */
static int ignorable(gunichar c)
{
    return g_unichar_isspace(c) || g_unichar_iscntrl(c) || c == 0x200B || c == 0x2060 ||
           c == 0xFEFF || c == 0x00AD;
}

/* Itemizes `sample` with the family list as the context font, as the layout
 * engine will, and reports the file of the first item's font.  Every
 * non-space character of the sample must be covered by the font its item got;
 * otherwise (or for an empty sample) the answer is NULL. */
char *fontlib_resolve(FontLib *fl, const char *families, int bold, int italic,
                      const char *lang, const char *sample)
{
    if (!fl || !families || !sample || !*sample)
        return NULL;
    PangoContext *ctx = pango_font_map_create_context(fl->fm);
    PangoFontDescription *desc = pango_font_description_new();
    pango_font_description_set_family(desc, families);
    pango_font_description_set_size(desc, 10 * PANGO_SCALE);
    pango_font_description_set_weight(desc, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_style(desc, italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
    pango_context_set_font_description(ctx, desc);
    pango_context_set_language(ctx, pango_language_from_string(lang && *lang ? lang : "en"));

    PangoAttrList *attrs = pango_attr_list_new();
    int len = (int)strlen(sample);
    GList *items = pango_itemize(ctx, sample, 0, len, attrs, NULL);
    char *result = NULL;
    int covered = items != NULL;
    for (GList *l = items; l && covered; l = l->next) {
        PangoItem *it = l->data;
        PangoFont *font = it->analysis.font;
        for (const char *p = sample + it->offset; p < sample + it->offset + it->length;
             p = g_utf8_next_char(p)) {
            gunichar c = g_utf8_get_char(p);
            if (!ignorable(c) && (!font || !pango_font_has_char(font, c))) {
                covered = 0;
                break;
            }
        }
    }
    for (GList *l = items; l && covered && !result; l = l->next) {
        PangoFont *font = ((PangoItem *)l->data)->analysis.font;
        if (!font || !PANGO_IS_FC_FONT(font))
            continue;
        FcPattern *pat = pango_fc_font_get_pattern(PANGO_FC_FONT(font));
        FcChar8 *file = NULL;
        int index = 0;
        if (!pat || FcPatternGetString(pat, FC_FILE, 0, &file) != FcResultMatch)
            continue;
        if (FcPatternGetInteger(pat, FC_INDEX, 0, &index) != FcResultMatch)
            index = 0;
        size_t n = strlen((const char *)file) + 16;
        result = xmalloc(n);
        if (index > 0)
            snprintf(result, n, "%s#%d", (const char *)file, index);
        else
            snprintf(result, n, "%s", (const char *)file);
    }
    g_list_free_full(items, (GDestroyNotify)pango_item_free);
    pango_attr_list_unref(attrs);
    pango_font_description_free(desc);
    g_object_unref(ctx);
    return result;
}

int fontlib_has_family(FontLib *fl, const char *family)
{
    PangoFontFamily **fams = NULL;
    int n = 0, found = 0;
    pango_font_map_list_families(fontlib_fontmap(fl), &fams, &n);
    for (int i = 0; i < n && !found; i++)
        found = g_ascii_strcasecmp(pango_font_family_get_name(fams[i]), family) == 0;
    g_free(fams);
    return found;
}

static gint path_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *fontlib_files_identity(FontLib *fl)
{
    FcConfig *cfg = pango_fc_font_map_get_config(PANGO_FC_FONT_MAP(fl->fm));
    FcFontSet *set = cfg ? FcConfigGetFonts(cfg, FcSetSystem) : NULL;
    GPtrArray *paths = g_ptr_array_new();
    for (int i = 0; set && i < set->nfont; i++) {
        FcChar8 *file = NULL;
        if (FcPatternGetString(set->fonts[i], FC_FILE, 0, &file) == FcResultMatch)
            g_ptr_array_add(paths, file);
    }
    g_ptr_array_sort(paths, path_cmp);
    GString *g = g_string_new(NULL);
    const char *last = NULL;
    for (guint i = 0; i < paths->len; i++) {
        const char *path = paths->pdata[i];
        if (last && strcmp(last, path) == 0)
            continue;           /* a collection's faces: one file */
        last = path;
        struct stat st;
        if (stat(path, &st) != 0)
            g_string_append_printf(g, "? %s\n", path);
        else
            g_string_append_printf(g, "%s %lld %lld.%09ld\n", path, (long long)st.st_size,
                                   (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    }
    g_ptr_array_free(paths, TRUE);
    return g_string_free(g, FALSE);
}
