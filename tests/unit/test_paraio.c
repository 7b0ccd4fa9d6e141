/* test_paraio.c — the reader of set paragraphs (layout/paraio.c) on bytes
 * that pass its checksum but that para_set never makes: written by the
 * exporter itself from entries changed in memory (a hostile cache file needs
 * nothing more than the checksum, which is not a secret).  Each must be
 * refused, or taken in a form the painter survives. */
#include "check.h"

#include <glib.h>
#include <hb.h>
#include <stdlib.h>

#include "../../fonts/fontload.h"
#include "../../layout/internal.h"
#include "../../typeset/paint.h"
#include "layinput.h"

static FontLib *fl;

typedef enum {
    LINK_NULL, IMAGE_ITEM, TAG_NULL, FEWER_CHARS, CLUSTERS_BACK, GLYPH_FAR, GLYPH_WIDE, LINE_NEGATIVE,
    SCALE_HUGE, N_CHANGES
} Change;

/* A glyph item changed (FEWER_CHARS, CLUSTERS_BACK) and what to put back. */
typedef struct Undo {
    PangoGlyphItem *gi;
    int num_chars, lc0, width0;
} Undo;

/* Lays out in, changes every entry of the result as ch says, exports, puts
 * the change back (so the exporter's entries free normally), returns the
 * bytes. */
static GBytes *hostile(const LayInput *in, Change ch, DiagList *dl)
{
    LayEngine *e = lay_engine_new(fontlib_fontmap(fl), NULL);
    Arena a;
    arena_init(&a);
    LayResult r;
    GBytes *b = NULL;
    if (lay_run(e, in, &r, &a, dl) == 0) {
        GlyphPool *pool = r.priv;
        GArray *heights = g_array_new(FALSE, FALSE, sizeof(double));   /* put back */
        /* saved to put back */
        GPtrArray *items = g_ptr_array_new();
        GArray *saved = g_array_new(FALSE, FALSE, sizeof(LayItem));
        GArray *undo = g_array_new(FALSE, FALSE, sizeof(Undo));
        GHashTable *seen = g_hash_table_new(NULL, NULL);     /* glyph items changed */
        for (int i = 0; i < pool->refs.n; i++) {
            ParaEntry *pe = pool->refs.v[i];
            for (int l = 0; l < pe->set.n; l++) {
                g_array_append_val(heights, pe->set.lines[l].height);
                if (ch == LINE_NEGATIVE)    /* (the page builder divides by it) */
                    pe->set.lines[l].height = -12;
            }
            for (int l = 0; l < pe->set.n; l++)
                for (int k = 0; k < pe->set.lines[l].n_items; k++) {
                    LayItem *it = &pe->set.lines[l].items[k];
                    g_ptr_array_add(items, it);
                    g_array_append_val(saved, *it);
                    if (ch == LINK_NULL && it->kind == LI_LINK)
                        it->str = NULL;
                    if (ch == IMAGE_ITEM && it->kind == LI_LINK)
                        it->kind = LI_IMAGE, it->str = "/etc/passwd";
                    if (ch == TAG_NULL && it->kind == LI_LINK)
                        it->kind = LI_TAG_BEGIN, it->str = NULL;
                    /* (a fuzzed file's glyph 6e60 pt away had overflowed
                     * the painter's integer) */
                    if (ch == GLYPH_FAR && it->kind == LI_GLYPHS)
                        it->x = -6.2771e60;
                    /* (the Cairo painter's scaled advances are ints) */
                    if (ch == SCALE_HUGE && it->kind == LI_GLYPHS)
                        it->scale_x = 1e8;
                    /* a glyph item that no longer fits its text: one
                     * character fewer than its bytes hold (Pango's cluster
                     * iterator asserts), or its first glyph's cluster after
                     * its last's */
                    PangoGlyphItem *gi = it->kind == LI_GLYPHS ? it->gi : NULL;
                    if (!gi || g_hash_table_contains(seen, gi))
                        continue;
                    int n = gi->glyphs->num_glyphs;
                    int *lc = gi->glyphs->log_clusters;
                    Undo u = {gi, gi->item->num_chars, n ? lc[0] : 0,
                              n ? gi->glyphs->glyphs[0].geometry.width : 0};
                    if (ch == FEWER_CHARS && gi->item->num_chars > 1)
                        gi->item->num_chars--;
                    /* (two such glyphs had overflowed the painter's sum of
                     * advances) */
                    else if (ch == GLYPH_WIDE && n > 0)
                        gi->glyphs->glyphs[0].geometry.width = G_MAXINT - 1;
                    else if (ch == CLUSTERS_BACK && n > 1 && lc[n - 1] > lc[0])
                        lc[0] = lc[n - 1];
                    else
                        continue;
                    g_hash_table_add(seen, gi);
                    g_array_append_val(undo, u);
                }
        }
        b = lay_result_export_paragraphs(&r);
        for (guint i = 0; i < items->len; i++)
            *(LayItem *)items->pdata[i] = g_array_index(saved, LayItem, i);
        for (guint i = 0; i < undo->len; i++) {
            Undo *u = &g_array_index(undo, Undo, i);
            u->gi->item->num_chars = u->num_chars;
            if (u->gi->glyphs->num_glyphs) {
                u->gi->glyphs->log_clusters[0] = u->lc0;
                u->gi->glyphs->glyphs[0].geometry.width = u->width0;
            }
        }
        guint h = 0;
        for (int i = 0; i < pool->refs.n; i++) {
            ParaEntry *pe = pool->refs.v[i];
            for (int l = 0; l < pe->set.n; l++)
                pe->set.lines[l].height = g_array_index(heights, double, h++);
        }
        g_array_free(heights, TRUE);
        if (undo->len == 0 && (ch == FEWER_CHARS || ch == CLUSTERS_BACK || ch == GLYPH_WIDE)) {
            g_bytes_unref(b);   /* nothing was changed: no test */
            b = NULL;
        }
        g_array_free(undo, TRUE);
        g_hash_table_destroy(seen);
        g_ptr_array_free(items, TRUE);
        g_array_free(saved, TRUE);
        lay_result_fini(&r);
    }
    arena_fini(&a);
    lay_engine_free(e);
    return b;
}

/* Imports b into a new engine, lays in out with what it took and paints it
 * tagged (links and tags drawn).  Returns what the import returned. */
static int take_and_paint(const LayInput *in, GBytes *b, DiagList *dl, int *painted)
{
    LayEngine *e = lay_engine_new(fontlib_fontmap(fl), NULL);
    int taken = lay_engine_import_paragraphs(e, b);
    Arena a;
    arena_init(&a);
    LayResult r;
    *painted = 0;
    if (lay_run(e, in, &r, &a, dl) == 0) {
        PaintOptions po = {.width = 300, .height = 400, .tagged = 1};
        PaintMeta pm = {.title = "t"};
        unsigned char *pdf = NULL;
        size_t len = 0;
        const char *err = NULL;
        *painted = paint_pdf(&r, &po, &pm, &pdf, &len, &err) == 0;
        g_free(pdf);
    }
    lay_result_fini(&r);
    arena_fini(&a);
    lay_engine_free(e);
    return taken;
}

static void put_u(GByteArray *b, guint64 v)
{
    do {
        guint8 c = (guint8)(v & 0x7f) | (v >= 0x80 ? 0x80 : 0);
        g_byte_array_append(b, &c, 1);
        v >>= 7;
    } while (v);
}

static void put_s(GByteArray *b, const char *s)
{
    put_u(b, 1);
    put_u(b, strlen(s));
    g_byte_array_append(b, (const guint8 *)s, (guint)strlen(s));
}

/* A file of some 90 bytes whose one entry claims 2^24 - 1 lines: refused
 * without allocating for them (else 2 GB, calloc'd in the entry's arena). */
static GBytes *huge_count(void)
{
    GByteArray *b = g_byte_array_new();
    g_byte_array_append(b, (const guint8 *)"typeset paragraphs 2\n", 21);
    static const guint8 key[PARA_KEY_LEN];
    put_u(b, sizeof key);       /* the entry: its key */
    g_byte_array_append(b, key, sizeof key);
    put_u(b, 0);                /* src_line */
    put_u(b, 0);                /* texts */
    put_u(b, 0);                /* glyph items */
    put_u(b, (1u << 24) - 1);   /* lines */
    guint64 head = b->len;      /* the head, after the entries */
    put_s(b, pango_version_string());
    put_s(b, hb_version_string());
    put_u(b, 0);                /* fonts */
    put_u(b, 1);                /* entries */
    g_byte_array_append(b, (const guint8 *)&head, 8);
    guint64 sum = paraio_checksum(b->data, b->len);
    g_byte_array_append(b, (const guint8 *)&sum, 8);
    return g_byte_array_free_to_bytes(b);
}

int main(int argc, char **argv)
{
    DiagList dl;
    diag_list_init(&dl);
    fl = fontlib_new(".", &dl);
    if (!fl) {
        printf("FAIL cannot load fonts\n");
        return 1;
    }
    LaySpan sp;
    LayBlock bl;
    LayInput in = input(&sp, &bl, "Typesetting a scholarly journal is an exercise in patience: every "
                                  "paragraph is broken into lines and justified.", 10, "en");
    sp.link = "https://example.org/";
    static const char *const names[] = {"a link without a target", "an image item",
                                        "a structure tag without a name",
                                        "a glyph item one character short of its text",
                                        "a glyph item whose clusters go backwards",
                                        "a glyph item 6e60 pt away",
                                        "a glyph 2^31 units wide",
                                        "a line of negative height",
                                        "a glyph item scaled 1e8 times"};
    /* one change per run when named (argv[1]): a crash is then that one's */
    for (int ch = 0; ch < N_CHANGES; ch++) {
        if (argc > 1 && atoi(argv[1]) != ch)
            continue;
        GBytes *b = hostile(&in, (Change)ch, &dl);
        int painted = 0;
        int taken = b ? take_and_paint(&in, b, &dl, &painted) : 0;
        CHECK(b && taken < 0 && painted, "%s is refused (import: %d), and the layout painted",
              names[ch], taken);
        if (b)
            g_bytes_unref(b);
    }
    if (argc <= 1 || atoi(argv[1]) == N_CHANGES) {
        GBytes *b = huge_count();
        LayEngine *e = lay_engine_new(fontlib_fontmap(fl), NULL);
        long rss0 = 0, rss1 = 0;
        char *st = NULL;
        if (g_file_get_contents("/proc/self/statm", &st, NULL, NULL))
            rss0 = atol(strchr(st, ' ') + 1);
        g_free(st);
        int taken = lay_engine_import_paragraphs(e, b);
        if (g_file_get_contents("/proc/self/statm", &st, NULL, NULL))
            rss1 = atol(strchr(st, ' ') + 1);
        g_free(st);
        CHECK(taken < 0, "a count beyond the bytes left is refused (import: %d; %zu bytes; rss %+ld pages)",
              taken, g_bytes_get_size(b), rss1 - rss0);
        lay_engine_free(e);
        g_bytes_unref(b);
    }
    fontlib_free(fl);
    diag_list_fini(&dl);
    return check_finish();
}
