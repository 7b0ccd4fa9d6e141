/* itemize.c — items (runs of one font, script and language) for paragraphs
 * of left-to-right text without emoji, as pango_itemize makes them; any
 * other paragraph goes to pango_itemize.
 *
 * Why: pango_itemize runs the bidi algorithm, the emoji presentation
 * scanner and the vertical-orientation scan over every paragraph, and looks
 * each character's font up in a hash table: 600 instructions a character,
 * a ninth of an issue's build, for text where none of it changes anything.
 * This takes the same steps Pango takes with Pango's own public pieces (the
 * attribute iterator, the script iterator, the font map's fontsets, the
 * derived language) and leaves out only what cannot apply: every character
 * is of a left-to-right script or neutral (so every embedding level is 0),
 * none can start an emoji presentation sequence, the gravity is south, and
 * the attributes are only fonts and languages.  A character's font is
 * remembered per fontset in an array.  TYPESET_CHECK_ITEMIZE=1 compares
 * every paragraph's items with pango_itemize's (tests/e2e/itemize.sh runs
 * the samples and the corpus so). */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Characters below this have their font remembered in an array, the
 * others in a hash table. */
#define DIRECT 0x3400
#define UNKNOWN 0xFF        /* pos[]: not looked up yet */

/* One fontset's characters: the font and its position in the fontset.
 * The fonts are loaded as characters ask for them, not all at once: Pango
 * sorts a fontset's fallback fonts in a thread of its own, and loading them
 * all waited for that thread on every new font description (at -j 2, with
 * both cores busy, 60 ms of the build); Latin and Cyrillic text needs the
 * first font only. */
#define FS_MAX 63           /* fonts remembered; position FS_MAX = none covers */

typedef struct FsCache {
    PangoFontset *fs;       /* a reference */
    PangoFont *fonts[FS_MAX];   /* by position, the first n loaded */
    int n;
    PangoFont *base;        /* the description's own font (none covers), once needed */
    int overflow;           /* a character's font is past FS_MAX: Pango itemizes */
    guint8 pos[DIRECT];     /* position + UNKNOWN until looked up */
    GHashTable *far;        /* wc -> position + 1 */
} FsCache;

static void fs_cache_free(gpointer p)
{
    FsCache *c = p;
    for (int i = 0; i < c->n; i++)
        g_object_unref(c->fonts[i]);
    if (c->base)
        g_object_unref(c->base);
    if (c->far)
        g_hash_table_destroy(c->far);
    g_object_unref(c->fs);
    g_free(c);
}

/* Walks the fontset in order, remembering the fonts not met before, until
 * want (NULL: to the end). */
typedef struct Collect {
    FsCache *c;
    PangoFont *want;
    int i;
} Collect;

static gboolean collect_font(PangoFontset *fs, PangoFont *font, gpointer data)
{
    (void)fs;
    Collect *k = data;
    FsCache *c = k->c;
    if (k->i == c->n && c->n < FS_MAX)
        c->fonts[c->n++] = g_object_ref(font);
    k->i++;
    return font == k->want || k->i >= FS_MAX;
}

/* Which fontset a description and a language load, remembered: Pango's
 * lookup (a key made and hashed with the context's matrix and options) was
 * asked eight thousand times an issue, for a few dozen fontsets. */
typedef struct DescKey {
    PangoFontDescription *desc;
    PangoLanguage *lang;
} DescKey;

static guint desc_key_hash(gconstpointer p)
{
    const DescKey *k = p;
    return pango_font_description_hash(k->desc) ^ g_direct_hash(k->lang);
}

static gboolean desc_key_equal(gconstpointer a, gconstpointer b)
{
    const DescKey *x = a, *y = b;
    return x->lang == y->lang && pango_font_description_equal(x->desc, y->desc);
}

static void desc_key_free(gpointer p)
{
    DescKey *k = p;
    pango_font_description_free(k->desc);
    g_free(k);
}

void itemize_init(LayEngine *e)
{
    e->fontsets = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, fs_cache_free);
    e->fontset_of = g_hash_table_new_full(desc_key_hash, desc_key_equal, desc_key_free, NULL);
    e->itemize_off = getenv("TYPESET_PANGO_ITEMIZE") != NULL;
    e->itemize_check = getenv("TYPESET_CHECK_ITEMIZE") != NULL;
}

void itemize_fini(LayEngine *e)
{
    g_hash_table_destroy(e->fontset_of);
    g_hash_table_destroy(e->fontsets);
}

/* The characters' fonts of the fontset desc loads for lang (NULL: none). */
static FsCache *fs_cache(LayEngine *e, PangoFontDescription *desc, PangoLanguage *lang)
{
    DescKey k = {desc, lang};
    FsCache *c = g_hash_table_lookup(e->fontset_of, &k);
    if (c)
        return c;
    PangoFontset *fs = pango_font_map_load_fontset(e->fontmap, e->ctx, desc, lang);
    if (!fs)
        return NULL;
    c = g_hash_table_lookup(e->fontsets, fs);
    if (!c) {
        c = g_new0(FsCache, 1);
        c->fs = g_object_ref(fs);
        memset(c->pos, UNKNOWN, sizeof c->pos);
        g_hash_table_insert(e->fontsets, fs, c);
    }
    g_object_unref(fs);
    DescKey *kept = g_new(DescKey, 1);
    *kept = (DescKey){pango_font_description_copy(desc), lang};
    g_hash_table_insert(e->fontset_of, kept, c);
    return c;
}

static PangoLanguage *derived(PangoLanguage *lang, PangoScript script);

/* Pango finds a new fontset's fonts in two threads it starts for it (one
 * matches, one sorts the fallbacks), and the first character set in it
 * waits for them.  A run's paragraphs ask for their fontsets before any is
 * set, so that the threads of all of them work at once, while the first
 * paragraphs are set, rather than one after another.  The description is
 * made as fast_itemize makes it: the context's, with the span's fields over
 * it, upright gravity; the language as a Latin or Cyrillic run of the
 * paragraph derives it, and English for its Latin words. */
void itemize_prefetch(LayEngine *e, const PangoFontDescription *fd, PangoLanguage *lang)
{
    if (e->itemize_off)
        return;
    PangoFontDescription *desc = pango_font_description_copy(pango_context_get_font_description(e->ctx));
    pango_font_description_merge(desc, fd, TRUE);
    pango_font_description_set_gravity(desc, PANGO_GRAVITY_SOUTH);
    PangoScript scripts[] = {PANGO_SCRIPT_LATIN, PANGO_SCRIPT_CYRILLIC};
    for (size_t i = 0; i < G_N_ELEMENTS(scripts); i++)
        if (i == 0 || pango_language_includes_script(lang, scripts[i]))
            fs_cache(e, desc, derived(lang, scripts[i]));
    pango_font_description_free(desc);
}

/* The font for wc and its position in the fontset, as pango_itemize's
 * get_font gives them; NULL (and position FS_MAX) when the description's
 * base font cannot be had either. */
static PangoFont *font_lookup(LayEngine *e, FsCache *c, const PangoFontDescription *desc,
                               gunichar wc, int *position)
{
    int p;
    gpointer v;
    if (wc < DIRECT && c->pos[wc] != UNKNOWN) {
        p = c->pos[wc];
    } else if (wc >= DIRECT && c->far && (v = g_hash_table_lookup(c->far, GUINT_TO_POINTER(wc)))) {
        p = GPOINTER_TO_INT(v) - 1;
    } else {
        PangoFont *f = pango_fontset_get_font(c->fs, wc);
        for (p = 0; p < c->n && f && c->fonts[p] != f; p++)
            ;
        if (f && p == c->n) {       /* a font not met yet: the fontset walked to it */
            Collect k = {c, f, 0};
            pango_fontset_foreach(c->fs, collect_font, &k);
            for (p = 0; p < c->n && c->fonts[p] != f; p++)
                ;
            c->overflow |= p == c->n;   /* (no fontset of ours has so many) */
        }
        if (!f || p >= c->n)
            p = FS_MAX;
        if (f)
            g_object_unref(f);
        if (wc < DIRECT) {
            c->pos[wc] = (guint8)p;
        } else {
            if (!c->far)
                c->far = g_hash_table_new(g_direct_hash, g_direct_equal);
            g_hash_table_insert(c->far, GUINT_TO_POINTER(wc), GINT_TO_POINTER(p + 1));
        }
    }
    *position = p;
    if (p < FS_MAX)
        return c->fonts[p];
    /* what pango_itemize falls back to when no font has the character */
    if (!c->base)
        c->base = pango_font_map_load_font(e->fontmap, e->ctx, desc);
    return c->base;
}

/* font_lookup, with a character met before in a loaded font answered here
 * (almost every character of a paragraph). */
static inline PangoFont *font_for(LayEngine *e, FsCache *c, const PangoFontDescription *desc,
                                  gunichar wc, int *position)
{
    if (wc < DIRECT && c->pos[wc] < FS_MAX) {
        *position = c->pos[wc];
        return c->fonts[c->pos[wc]];
    }
    return font_lookup(e, c, desc, wc, position);
}

/* Characters that do not choose a font: spaces, controls, format
 * characters, separators, variation selectors (pango_itemize's rule). */
static int as_space(gunichar wc)
{
    GUnicodeType t = g_unichar_type(wc);
    return t == G_UNICODE_CONTROL ||
           (t == G_UNICODE_FORMAT && !((wc >= 0x600 && wc <= 0x6FF) || wc == 0x70F || wc == 0x8E2)) ||
           t == G_UNICODE_SURROGATE || t == G_UNICODE_LINE_SEPARATOR ||
           t == G_UNICODE_PARAGRAPH_SEPARATOR || (t == G_UNICODE_SPACE_SEPARATOR && wc != 0x1680) ||
           (wc >= 0xFE00 && wc <= 0xFE0F) || (wc >= 0xE0100 && wc <= 0xE01EF);
}

/* Whether wc keeps a paragraph on this path: not of a right-to-left script
 * nor a bidi control (every level stays 0), and nothing that can begin or
 * join an emoji presentation sequence. */
static int plain_char(gunichar wc)
{
    if (wc < 0x0590)
        return 1;
    if (wc <= 0x08FF || (wc >= 0xFB1D && wc <= 0xFDFF) || (wc >= 0xFE70 && wc <= 0xFEFF) ||
        (wc >= 0x10800 && wc <= 0x10FFF) || (wc >= 0x1E800 && wc <= 0x1EFFF))
        return 0;       /* Hebrew, Arabic, Syriac, Thaana, N'Ko... */
    if (wc == 0x200D || wc == 0x200F || (wc >= 0x202A && wc <= 0x202E) ||
        (wc >= 0x2066 && wc <= 0x2069) || wc == 0x20E3)
        return 0;       /* joiner, RLM, embeddings and isolates, keycap */
    if ((wc >= 0x2300 && wc <= 0x2BFF) || (wc >= 0xFE00 && wc <= 0xFE0F) || wc >= 0x1F000)
        return 0;       /* symbols with emoji presentation, selectors, emoji */
    if (wc == 0x3030 || wc == 0x303D || wc == 0x3297 || wc == 0x3299)
        return 0;
    return 1;
}

/* The language fonts are chosen for: the run's, unless it does not write
 * the script (pango_itemize's derived language). */
static PangoLanguage *derived(PangoLanguage *lang, PangoScript script)
{
    if (lang && pango_language_includes_script(lang, script))
        return lang;
    PangoLanguage *l = pango_script_get_sample_language(script);
    return l ? l : pango_language_from_string("xx");
}

typedef struct Build {
    GList *result;          /* reversed */
    PangoItem *item;
    const char *text, *first_space;
    int font_position;
} Build;

/* pango_itemize's itemize_state_add_character: font NULL for a space. */
static void add_char(Build *b, PangoFont *font, int position, int force_break, const char *p,
                     int is_space, PangoScript script, PangoLanguage *lang)
{
    const char *first_space = b->first_space;
    int n_spaces = 0;
    if (is_space) {
        if (!b->first_space)
            b->first_space = p;
    } else {
        b->first_space = NULL;
    }
    if (b->item) {
        if (!b->item->analysis.font && font) {
            /* the spaces that began the run take the first font met */
            for (GList *l = b->result; l; l = l->next) {
                PangoItem *it = l->data;
                if (it->analysis.font)
                    break;
                it->analysis.font = g_object_ref(font);
            }
            b->font_position = position;
        } else if (b->item->analysis.font && !font) {
            font = b->item->analysis.font;
            position = b->font_position;
        }
        if (!force_break && b->item->analysis.font == font) {
            b->item->num_chars++;
            return;
        }
        /* trailing spaces go to the next item when its font comes earlier
         * in the fontset */
        if (b->text + b->item->offset < first_space && position < b->font_position) {
            n_spaces = (int)utf8_chars(first_space, p - first_space);
            b->item->num_chars -= n_spaces;
            p = first_space;
        }
        b->item->length = (int)(p - b->text) - b->item->offset;
    }
    PangoItem *it = pango_item_new();
    it->offset = (int)(p - b->text);
    it->length = 0;
    it->num_chars = n_spaces + 1;
    it->analysis.font = font ? g_object_ref(font) : NULL;
    b->font_position = position;
    it->analysis.level = 0;
    it->analysis.gravity = PANGO_GRAVITY_SOUTH;
    it->analysis.script = (guint8)script;
    it->analysis.language = lang;
    b->item = it;
    b->result = g_list_prepend(b->result, it);
}

/* Whether the paragraph is one script run, as Pango's script iterator
 * would find it, and which: no two scripts other than Common and Inherited
 * (those take the run's script, brackets included), and none unknown.
 * Pango's iterator looks every character up in its table of paired
 * punctuation as well; for an English paragraph it was a quarter of the
 * itemizer. */
static int one_script(const gunichar *ch, int nch, PangoScript *out)
{
    PangoScript run = PANGO_SCRIPT_COMMON;
    for (int i = 0; i < nch; i++) {
        gunichar c = ch[i];
        PangoScript k;
        if (c < 0x80) {
            if ((c | 32) - 'a' >= 26u)
                continue;       /* ASCII but not a letter: Common */
            k = PANGO_SCRIPT_LATIN;
        } else {
            k = (PangoScript)g_unichar_get_script(c);
            if (k == PANGO_SCRIPT_COMMON || k == PANGO_SCRIPT_INHERITED)
                continue;
            if (k == PANGO_SCRIPT_UNKNOWN)
                return 0;
        }
        if (run == PANGO_SCRIPT_COMMON)
            run = k;
        else if (k != run)
            return 0;
    }
    *out = run;
    return 1;
}

/* The items of txt[0..len), or NULL when the paragraph is not one this
 * path takes. */
static GList *fast_itemize(LayEngine *e, const char *txt, int len, const gunichar *ch, int nch,
                           PangoAttrList *attrs)
{
    for (int i = 0; i < nch; i++)
        if (!plain_char(ch[i]))
            return NULL;
    if (pango_context_get_gravity(e->ctx) != PANGO_GRAVITY_SOUTH ||
        pango_context_get_base_dir(e->ctx) == PANGO_DIRECTION_RTL ||
        pango_context_get_base_dir(e->ctx) == PANGO_DIRECTION_WEAK_RTL)
        return NULL;
    PangoAttrIterator *ai = pango_attr_list_get_iterator(attrs);
    /* one run of one script, or Pango's iterator */
    const char *sstart = txt, *send = txt + len;
    PangoScript script;
    PangoScriptIter *si = NULL;
    if (!one_script(ch, nch, &script)) {
        si = pango_script_iter_new(txt, len);
        pango_script_iter_get_range(si, &sstart, &send, &script);
    }
    const PangoFontDescription *base = pango_context_get_font_description(e->ctx);
    PangoLanguage *ctx_lang = pango_context_get_language(e->ctx);
    Build b = {.text = txt, .font_position = 0xFFFF};
    int ok = 1;
    int pos = 0;                        /* byte */
    while (pos < len && ok) {
        /* the attribute run here */
        int a0, a1;
        pango_attr_iterator_range(ai, &a0, &a1);
        if (a1 > len)
            a1 = len;
        PangoFontDescription *desc = pango_font_description_copy_static(base);
        PangoLanguage *lang = NULL;
        GSList *extra = NULL;
        pango_attr_iterator_get_font(ai, desc, &lang, &extra);
        if (extra) {        /* attributes beyond fonts and languages: Pango's */
            g_slist_free_full(extra, (GDestroyNotify)pango_attribute_destroy);
            pango_font_description_free(desc);
            ok = 0;
            break;
        }
        if (!lang)
            lang = ctx_lang;
        if (pango_font_description_get_variant(desc) != PANGO_VARIANT_NORMAL ||
            (pango_font_description_get_set_fields(desc) & PANGO_FONT_MASK_GRAVITY)) {
            pango_font_description_free(desc);
            ok = 0;     /* small caps (Pango's post-processing), a gravity: Pango's */
            break;
        }
        pango_font_description_set_gravity(desc, PANGO_GRAVITY_SOUTH);
        /* the script runs within it */
        while (pos < a1 && ok) {
            while ((int)(send - txt) <= pos && si && pango_script_iter_next(si))
                pango_script_iter_get_range(si, &sstart, &send, &script);
            int end = (int)(send - txt) < a1 ? (int)(send - txt) : a1;
            if (end <= pos) {
                ok = 0;
                break;
            }
            PangoLanguage *dl = derived(lang, script);
            FsCache *c = fs_cache(e, desc, dl);
            if (!c) {
                ok = 0;
                break;
            }
            /* a new run begins a new item (itemize_state_process_run) */
            b.item = NULL;
            int last_forced = 0;
            const char *p = txt + pos;
            for (; p < txt + end; p = g_utf8_next_char(p)) {
                unsigned char b0 = (unsigned char)*p;
                gunichar wc = b0 < 0x80 ? b0 : g_utf8_get_char(p);
                int forced = wc == '\t' || wc == 0x2028;
                PangoFont *font = NULL;
                /* (ASCII's controls, its space and DEL are as_space's) */
                int position = 0xFFFF, space = wc < 0x80 ? wc <= 0x20 || wc == 0x7F : as_space(wc);
                if (!space)
                    font = font_for(e, c, desc, wc, &position);
                add_char(&b, font, position, forced || last_forced, p, space, script, dl);
                last_forced = forced;
            }
            b.item->length = (int)(p - txt) - b.item->offset;
            if (c->overflow) {
                ok = 0;
                break;
            }
            if (!b.item->analysis.font) {   /* a run of spaces only */
                int position;
                PangoFont *font = font_for(e, c, desc, ' ', &position);
                for (GList *l = b.result; l; l = l->next) {
                    PangoItem *it = l->data;
                    if (it->analysis.font)
                        break;
                    if (font)
                        it->analysis.font = g_object_ref(font);
                }
            }
            pos = end;
        }
        pango_font_description_free(desc);
        if (pos >= a1 && !pango_attr_iterator_next(ai) && pos < len)
            ok = 0;
    }
    if (si)
        pango_script_iter_free(si);
    pango_attr_iterator_destroy(ai);
    if (!ok) {
        g_list_free_full(b.result, (GDestroyNotify)pango_item_free);
        return NULL;
    }
    return g_list_reverse(b.result);
}

/* Whether two item lists are the same, field by field. */
static int same_items(GList *a, GList *b)
{
    for (; a && b; a = a->next, b = b->next) {
        const PangoItem *x = a->data, *y = b->data;
        if (x->offset != y->offset || x->length != y->length || x->num_chars != y->num_chars ||
            x->analysis.font != y->analysis.font || x->analysis.level != y->analysis.level ||
            x->analysis.gravity != y->analysis.gravity || x->analysis.flags != y->analysis.flags ||
            x->analysis.script != y->analysis.script ||
            x->analysis.language != y->analysis.language || x->analysis.extra_attrs != y->analysis.extra_attrs)
            return 0;
    }
    return !a && !b;
}

GList *itemize_paragraph(LayEngine *e, const char *txt, int len, const gunichar *ch, int nch,
                         PangoAttrList *attrs)
{
    GList *items = e->itemize_off ? NULL : fast_itemize(e, txt, len, ch, nch, attrs);
    if (items && e->itemize_check) {
        GList *theirs = pango_itemize(e->ctx, txt, 0, len, attrs, NULL);
        if (!same_items(items, theirs)) {
            fprintf(stderr, "typeset: itemize check: items differ from pango_itemize's for \"%.60s\"\n",
                    txt);
            abort();
        }
        g_list_free_full(theirs, (GDestroyNotify)pango_item_free);
    }
    return items ? items : pango_itemize(e->ctx, txt, 0, len, attrs, NULL);
}
