/* issuebuild.c — see issuebuild.h.
 *
 * Phase 1 measures every article (its page count when set at the manifest's
 * first page, or in a rebuild where the last build set it: place_load); the
 * counts go into the cache.  Phase 2 numbers the pages and sets every article
 * at its real first page, in the context that measured it (its paragraphs
 * are still in that engine's cache, so this second setting costs a few
 * milliseconds; a layout phase 1 made at that folio is painted as it is),
 * writes its PDF and drops its glyphs; an article
 * whose PDF at that folio is in the cache is neither set nor painted.  An
 * article whose count differs from phase 1's moves the articles after it,
 * which are set again (a fixed point, as article_layout does for one
 * article's page range).  Between articles, the threads take the steps of
 * issue.pdf's merge (issuemerge.h).
 *
 * Phase 1 streams (run_stream): an article is set at its real first page
 * and written as soon as the articles before it are measured, and the merge
 * begins once every folio is known; phase 2 then finds the articles set
 * where they belong, and numbers again only when a count moved. */
#include "issuebuild.h"

#include <elf.h>
#include <link.h>
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "../layout/hyph.h"
#include "issuemerge.h"
#include "issuepages.h"
#include "output.h"
#include "paint.h"
#include "pdfcat.h"

typedef int (*IssueJobFn)(Issue *is, Item *it, TsContext **c);

/* Streaming (run_stream): how many layouts an unused paragraph stays in
 * an engine's cache (measuring an article and setting it take two to four). */
enum { STREAM_KEEP = 6 };

/* ---- reading an article ------------------------------------------------------*/

static gint name_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The program's GNU build ID (the linker's SHA-1 of the executable, which
 * holds all of typeset's code: libtypeset.a is linked in), as hex. */
typedef struct BuildId {
    char hex[2 * 64 + 1];
} BuildId;

static int build_id_of_program(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    BuildId *id = data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        const unsigned char *p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
        const unsigned char *end = p + ph->p_memsz;
        size_t al = ph->p_align == 8 ? 8 : 4;  /* notes pad to their segment's alignment */
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
            size_t name = (nh->n_namesz + al - 1) & ~(al - 1), desc = (nh->n_descsz + al - 1) & ~(al - 1);
            const unsigned char *d = p + sizeof *nh + name;
            if (d + nh->n_descsz > end)
                break;
            if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
                memcmp(p + sizeof *nh, "GNU", 4) == 0 && nh->n_descsz > 0 && nh->n_descsz <= 64) {
                for (unsigned k = 0; k < nh->n_descsz; k++)
                    snprintf(id->hex + 2 * k, 3, "%02x", d[k]);
                return 1;
            }
            p = d + desc;
        }
    }
    return 1;       /* the first object is the program: stop */
}

/* What identifies this program's code: its build ID, or without one the
 * digest of its file. */
static void program_identity(char out[ISSUECACHE_HEX])
{
    BuildId id = {{0}};
    dl_iterate_phdr(build_id_of_program, &id);
    if (id.hex[0])
        issuecache_sha(id.hex, strlen(id.hex), out);
    else if (issuecache_file_sha("/proc/self/exe", out) != 0)
        g_strlcpy(out, "?", ISSUECACHE_HEX);
}

/* What every article's pages depend on besides its own inputs, as one text
 * that goes into every cache key: the manifest's metadata, the program's code
 * (program_identity: the version number alone missed changes to the
 * typesetting code), the hyphenation dictionaries (a Debian update changes
 * breaks; their digests remembered in the cache) and the painter asked for
 * (TYPESET_PAINTER, paint.h).  issuebuild_open adds the font files once the
 * first font context is open (fontlib_files_identity). */
static char *overrides_text(const Manifest *m, IssueCache *cache)
{
    char exe[ISSUECACHE_HEX], dic[ISSUECACHE_HEX];
    program_identity(exe);
    GString *dics = g_string_new(NULL);
    GDir *d = g_dir_open(hyph_default_dir(), 0, NULL);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    for (const char *n; d && (n = g_dir_read_name(d));)
        if (g_str_has_prefix(n, "hyph_") && g_str_has_suffix(n, ".dic"))
            g_ptr_array_add(names, g_strdup(n));
    if (d)
        g_dir_close(d);
    g_ptr_array_sort(names, name_cmp);
    for (guint i = 0; i < names->len; i++) {
        char *path = g_build_filename(hyph_default_dir(), names->pdata[i], NULL);
        char sha[ISSUECACHE_HEX];
        if (issuecache_file_sha_memo(cache, path, sha) == 0)
            g_string_append_printf(dics, "%s=%s ", (char *)names->pdata[i], sha);
        g_free(path);
    }
    g_ptr_array_free(names, TRUE);
    issuecache_sha(dics->str, dics->len, dic);
    g_string_free(dics, TRUE);
    return g_strdup_printf("journal=%s\nissn=%s\nvolume=%s\nnumber=%s\nyear=%s\nprogram=%s\n"
                           "hyphenation=%s\npainter=%s\n",
                           m->journal ? m->journal : "", m->issn ? m->issn : "",
                           m->volume ? m->volume : "", m->number ? m->number : "",
                           m->year ? m->year : "", exe, dic,
                           g_getenv("TYPESET_PAINTER") ? g_getenv("TYPESET_PAINTER") : "");
}

typedef struct OverridesJob {
    const Manifest *m;
    IssueCache *cache;
    char *text;
} OverridesJob;

static gpointer overrides_job(gpointer data)
{
    OverridesJob *j = data;
    j->text = overrides_text(j->m, j->cache);
    return NULL;
}

/* What the content key needs of a source besides its bytes, its images,
 * remembered for the next build under the source's digest (and the
 * program's: overrides): KEY.doc in the cache's pack.  With it, an unchanged
 * article is read light (its front matter; article_open_light), which is all
 * an issue needs of one whose pages come from the cache; parsing the bodies
 * of the unchanged articles had been most of a rebuild.  Kept only for a
 * source whose full reading gave no diagnostics, so that a light reading
 * leaves nothing unsaid. */
static char *doc_record_name(const Issue *is, const Item *it)
{
    char src[ISSUECACHE_HEX], key[ISSUECACHE_HEX];
    if (issuecache_file_sha_memo(is->cache, it->ma->path, src) != 0)
        return NULL;
    char *id = g_strdup_printf("document\n%s\n%s\n%s\n", TS_VERSION, src, is->overrides);
    issuecache_sha(id, strlen(id), key);
    g_free(id);
    return g_strdup_printf("%s.doc", key);
}

/* The images the record lists (strings in a, the article's arena), or NULL
 * when there is no record, or it is not whole. */
static GPtrArray *doc_record_load(const Issue *is, const Item *it, Arena *a)
{
    char *name = doc_record_name(is, it);
    char *text = name ? issuecache_text_get(is->cache, name, NULL) : NULL;
    GPtrArray *images = NULL;
    if (text && g_str_has_prefix(text, "typeset document 1\n") && g_str_has_suffix(text, "\nend\n")) {
        char **lines = g_strsplit(text, "\n", -1);
        guint n = g_strv_length(lines);      /* magic, images..., "end", "" */
        images = g_ptr_array_new();
        for (guint i = 1; i + 2 < n; i++) {
            if (!g_str_has_prefix(lines[i], "image ")) {
                g_ptr_array_free(images, TRUE);
                images = NULL;
                break;
            }
            g_ptr_array_add(images, arena_strdup(a, lines[i] + 6));
        }
        g_strfreev(lines);
    }
    g_free(text);
    g_free(name);
    return images;
}

/* A file of the cache written, or not: one that cannot be written is not
 * kept, and the next build is only slower. */
static void cache_write(const char *path, const void *data, size_t len)
{
    DiagList quiet;
    diag_list_init(&quiet);
    output_write_cache(path, data, len, &quiet);
    diag_list_fini(&quiet);
}

static void doc_record_save(const Issue *is, const Item *it, const GPtrArray *images)
{
    char *name = doc_record_name(is, it);
    if (!name)
        return;
    GString *g = g_string_new("typeset document 1\n");
    for (guint i = 0; i < images->len; i++) {
        const char *src = images->pdata[i];
        if (strchr(src, '\n')) {             /* not a line: no record */
            g_string_free(g, TRUE);
            g_free(name);
            return;
        }
        g_string_append_printf(g, "image %s\n", src);
    }
    g_string_append(g, "end\n");
    issuecache_text_put(is->cache, name, g->str, g->len);
    g_string_free(g, TRUE);
    g_free(name);
}

/* Opens the source and puts the manifest's metadata on it (the Doc is plain
 * data; the strings must live in the article's arena): light when the
 * source's record says what its content key needs (doc_record_load), the
 * rest read if it comes to be laid out (article_layout). */
static int item_open(Issue *is, Item *it)
{
    Arena tmp;
    arena_init_small(&tmp);
    struct stat before, after;
    int stated = stat(it->ma->path, &before) == 0;
    GPtrArray *images = doc_record_load(is, it, &tmp);
    it->art = images ? article_open_light(it->ma->path, &it->dl_open)
                     : article_open(it->ma->path, &it->dl_open);
    if (!it->art) {
        if (images)
            g_ptr_array_free(images, TRUE);
        arena_fini(&tmp);
        return -1;
    }
    const Manifest *m = is->m;
    DocMeta *dm = &it->art->doc.meta;
    const char *src[5] = {m->journal, m->issn, m->volume, m->number, m->year};
    const char **dst[5] = {&dm->journal, &dm->issn, &dm->volume, &dm->number, &dm->year};
    for (int i = 0; i < 5; i++)
        if (src[i])
            *dst[i] = arena_strdup(&it->art->arena, src[i]);
    if (!images) {
        images = issuecache_images(&it->art->doc);
        /* (the record is keyed by the file's digest: not when the file
         * changed while it was read) */
        if (it->dl_open.n == 0 && stated && stat(it->ma->path, &after) == 0 &&
            issuecache_same_stat(&before, &after))
            doc_record_save(is, it, images);
    }
    issuecache_content_of(it->art->doc.path, images, is->style->path, is->o->datadir,
                          is->overrides, is->cache, it->content);
    g_ptr_array_free(images, TRUE);
    arena_fini(&tmp);
    return 0;
}

/* The article's layout dropped (its glyphs and its arena; the document
 * stays), here, so that its fonts go back while the context that made them
 * is held (see issuebuild.h). */
static void item_drop_glyphs(Item *it)
{
    if (it->art)
        article_drop_layout(it->art);
}

static void item_release_layout(Item *it)
{
    item_drop_glyphs(it);
    it->set_at = 0;
    it->laid_at = 0;
    diag_list_fini(&it->dl_laid);
    diag_list_init(&it->dl_laid);
}

/* ---- the two jobs ----------------------------------------------------------------*/

static gpointer load_hyph(gpointer lang)
{
    return lay_hyph_hold(NULL, lang);     /* the directory ctx_open's engines use */
}

/* With threads to spare, the first article to be laid out has its main
 * hyphenation dictionary loaded on a thread of its own while its text is
 * shaped: its layout would otherwise wait the 4-13 ms a dictionary takes
 * (in a rebuild it is the edited article, on the way to issue.pdf).  Only
 * that one: another loads when an engine first needs it, and a rebuild
 * that lays out nothing loads none.  Not with -j 1: one thread means one. */
static void start_hyph(Issue *is, const Item *it)
{
    if (is->o->jobs > 1 && g_atomic_int_compare_and_exchange(&is->hyph_started, 0, 1))
        is->hyph_loader = g_thread_new("hyph", load_hyph, (gpointer)it->art->doc.meta.lang);
}

/* ---- the paragraphs an article was set with, for its next layout ---------------
 * An article laid out in phase 1 leaves its set paragraphs in the cache
 * (lay_result_export_paragraphs), under its place in the issue rather than
 * its content: after an edit, the next build's layout takes them back and
 * sets only the paragraphs that changed.  What they were set from is in
 * each paragraph's own key (the engine matches it); what is not (the
 * program, the fonts' configuration, the dictionaries) is in the file's. */
static void paras_key(const Issue *is, const Item *it, char key[ISSUECACHE_HEX])
{
    char style[ISSUECACHE_HEX] = "", conf[ISSUECACHE_HEX] = "";
    char *fc = g_build_filename(is->o->datadir, "fonts", "fonts.conf", NULL);
    issuecache_file_sha_memo(is->cache, is->style->path, style);
    issuecache_file_sha_memo(is->cache, fc, conf);
    g_free(fc);
    /* the program too (its line breaking is in the paragraphs), as
     * issuecache_content has it */
    char *id = g_strdup_printf("paragraphs\n%s\n%s\n%s%s\n%s\n", TS_VERSION, it->ma->path,
                               is->overrides, style, conf);
    issuecache_sha(id, strlen(id), key);
    g_free(id);
}

static char *paras_path(const Issue *is, const Item *it)
{
    char key[ISSUECACHE_HEX];
    paras_key(is, it, key);
    return g_strdup_printf("%s/%s.paras", is->cache_dir, key);
}

/* The paragraphs the last build set this article with, into c's cache:
 * how many were taken (0 when none were there or they were refused). */
static int paras_load(const Issue *is, const Item *it, TsContext *c)
{
    char *path = paras_path(is, it);
    gchar *data = NULL;
    gsize len = 0;
    int taken = 0;
    if (g_file_get_contents(path, &data, &len, NULL)) {
        GBytes *b = g_bytes_new_take(data, len);
        taken = lay_engine_import_paragraphs(c->engine, b);    /* refused: set afresh */
        g_bytes_unref(b);
    }
    g_free(path);
    return taken > 0 ? taken : 0;
}

static void paras_save(const Issue *is, const Item *it)
{
    GBytes *b = lay_result_export_paragraphs(&it->art->result);
    if (!b)
        return;
    char *path = paras_path(is, it);
    gsize len = 0;
    const void *data = g_bytes_get_data(b, &len);
    cache_write(path, data, len);
    g_free(path);
    g_bytes_unref(b);
}

static void item_pre_read(Issue *is, Item *it);

/* Where the last build set the article: its first folio and page count,
 * KEY.place in the cache's pack (KEY that of its paragraphs: the article's
 * path, the style, the fonts and the program).  Phase 1 lays an article out
 * there rather than at the manifest's first page: in a rebuild that is
 * usually where it goes again, so its folios and page range come out as the
 * paragraphs were kept, the page range is right the first time (one layout,
 * not two), and phase 2 paints that layout without laying the article out
 * again.  A wrong guess costs what phase 2 always did. */
static char *place_name(const Issue *is, const Item *it)
{
    char key[ISSUECACHE_HEX];
    paras_key(is, it, key);
    return g_strdup_printf("%s.place", key);
}

static void place_save(const Issue *is, const Item *it)
{
    if (it->first < 1 || it->set_pages < 1 ||
        (it->first == it->place_first && it->set_pages == it->place_pages))
        return;
    char *name = place_name(is, it);
    char *text = g_strdup_printf("typeset place 1\nfirst %d\npages %d\nend\n", it->first,
                                 it->set_pages);
    issuecache_text_put(is->cache, name, text, strlen(text));
    g_free(text);
    g_free(name);
}

/* The place place_save left, or 0 (*pages 0) when there is none. */
static int place_load(const Issue *is, const Item *it, int *pages)
{
    *pages = 0;
    char *name = place_name(is, it);
    char *text = issuecache_text_get(is->cache, name, NULL);
    int first = 0, n = 0, used = -1;
    if (text &&
        (sscanf(text, "typeset place 1\nfirst %d\npages %d\nend\n%n", &first, &n, &used) != 2 ||
         used < 0 || text[used] != '\0' || first < 1 || first > 1000000 || n < 1 || n > 1000000))
        first = n = 0;
    g_free(text);
    g_free(name);
    *pages = n;
    return first;
}

/* KEY.pcx in the cache's pack (KEY that of the article's paragraphs): what
 * the merge read of the article's PDF the last time it was written
 * (pdfcat_index_save), so that a rebuild merging it unchanged does not read
 * it again (pdfcat_read had been two thirds of the work of the thread that
 * is not laying out the edited article).  One an article, replaced when its
 * PDF is: the index names the bytes it was made of, and any others make it
 * refused. */
static char *index_name(const Issue *is, const Item *it)
{
    char key[ISSUECACHE_HEX];
    paras_key(is, it, key);
    return g_strdup_printf("%s.pcx", key);
}

static void index_save(const Issue *is, const Item *it, GBytes *index)
{
    char *name = index_name(is, it);
    gsize len = 0;
    const void *data = g_bytes_get_data(index, &len);
    issuecache_text_put(is->cache, name, data, len);
    g_free(name);
}

/* The article's PDF bytes as the merge reads them: from the index the last
 * build saved when it was made of these bytes, else read (and the index
 * saved for the next build). */
static PdfCatPart *index_read(const Issue *is, const Item *it, const unsigned char *pdf,
                              size_t len)
{
    char *name = index_name(is, it);
    size_t xl = 0;
    char *x = issuecache_text_get(is->cache, name, &xl);
    PdfCatPart *p = NULL;
    if (x)
        p = pdfcat_index_load(pdf, len, x, xl);
    g_free(x);
    g_free(name);
    if (!p && (p = pdfcat_read(pdf, len))) {
        GBytes *index = pdfcat_index_save(p);
        if (index) {
            index_save(is, it, index);
            g_bytes_unref(index);
        }
    }
    return p;
}

/* Phase 1: the page count, from the cache or by setting the article at the
 * manifest's first page or where the last build set it (whose layout is
 * then kept for phase 2; otherwise its glyphs are dropped and only the count
 * is kept). */
static int job_measure(Issue *is, Item *it, TsContext **cp)
{
    if (!it->art && !it->failed && item_open(is, it) != 0)
        it->failed = 1;
    if (it->failed) {           /* (no source to measure) */
        issuelog_line(is->log, "%s: failed", it->ma->name);
        issuelog_measured(is->log);
        return 0;
    }
    /* where the last build set it (place_load; not for an --article job,
     * whose phase 2 is another process's): its count is looked for there
     * first, and it is laid out there, its layout kept for phase 2 */
    int expect = 0;
    int at = is->o->article ? 0 : place_load(is, it, &expect);
    it->place_first = at;
    it->place_pages = expect;
    char key[ISSUECACHE_HEX];
    issuecache_key(it->content, "pages", at ? at : is->m->first_page, 0, key);
    IssueCacheRecord rec;
    int found = issuecache_get(is->cache, key, &rec) == 0 && rec.pages > 0;
    if (!found && at) {         /* measured at the manifest's first page (an --article job) */
        char key0[ISSUECACHE_HEX];
        issuecache_key(it->content, "pages", is->m->first_page, 0, key0);
        found = issuecache_get(is->cache, key0, &rec) == 0 && rec.pages > 0;
    }
    if (found) {
        it->pages = rec.pages;
        it->cached = 1;
        issuelog_line(is->log, "%s: %d pages, from the cache", it->ma->name, rec.pages);
        if (!is->o->article)    /* (an --article job merges nothing) */
            item_pre_read(is, it);
    } else if (is->o->assemble) {
        diag_add(&it->dl_set, DIAG_ERROR, is->m->path, it->ma->line, it->ma->col,
                 "no page count in the cache for '%s': its job (--article %d) failed or has not run",
                 it->ma->name, it->k);
        it->failed = 1;
    } else if (!*cp && !(*cp = issuebuild_take_context(is, &it->dl_set))) {
        it->failed = 1;
        issuelog_line(is->log, "%s: failed", it->ma->name);
    } else {
        TsContext *c = *cp;
        double t0 = issuelog_elapsed(is->log);
        DiagList tmp;
        diag_list_init(&tmp);
        start_hyph(is, it);
        int taken = paras_load(is, it, c), h0, m0, h1, m1;
        it->art->expect_pages = at ? expect : 0;
        lay_cache_stats(c->engine, &h0, &m0);
        if (article_layout(it->art, c, at ? at : is->m->first_page, &tmp) != 0 || tmp.errors > 0) {
            diag_list_merge(&it->dl_set, &tmp);     /* warnings come again in phase 2 */
            it->failed = 1;
            issuelog_line(is->log, "%s: failed", it->ma->name);
        } else {
            it->pages = article_pages(it->art);
            it->paint_cost = paint_cost_estimate(&it->art->result);
            it->ctx = c;
            rec = (IssueCacheRecord){.pages = it->pages};
            issuecache_put(is->cache, key, &rec);
            if (is->o->article)     /* an --article job: phase 2 is another process's */
                paras_save(is, it);
            lay_cache_stats(c->engine, &h1, &m1);
            char kept[160] = "";
            if (taken)
                snprintf(kept, sizeof kept, "; %d of %d paragraphs as the last build set them",
                         h1 - h0, h1 - h0 + m1 - m0);
            if (at)
                snprintf(kept + strlen(kept), sizeof kept - strlen(kept),
                         "; at p. %d, where the last build set it", at);
            issuelog_line(is->log, "%s: laid out, %d pages (%.2f s%s)", it->ma->name, it->pages,
                          issuelog_elapsed(is->log) - t0, kept);
        }
        if (at && !it->failed) {
            it->laid_at = at;
            diag_list_merge(&it->dl_laid, &tmp);
        }
        diag_list_fini(&tmp);
        if (!it->laid_at)
            item_release_layout(it);
    }
    issuelog_measured(is->log);
    return 0;
}

/* "pp. 98–130" or "p. 98" for the log. */
static void range_text(const Item *it, char *buf, size_t size)
{
    if (it->set_pages > 1)
        snprintf(buf, size, "pp. %d–%d", it->first, it->first + it->set_pages - 1);
    else
        snprintf(buf, size, "p. %d", it->first);
}

/* Whether OUTDIR/STEM.pdf is this article at this first page with these dates,
 * as written before and not touched since (its bytes' identity is the one
 * recorded: issuecache_pdf_id, on the bytes phase 1 read ahead when the file
 * is as they were read, else read now): then neither its layout nor its
 * painting is needed (issue.pdf is merged from the article PDFs). */
static int pdf_cached(Issue *is, Item *it)
{
    char key[ISSUECACHE_HEX], id[ISSUECACHE_HEX] = "";
    issuecache_key(it->content, "pdf", it->first, is->epoch, key);
    IssueCacheRecord rec;
    if (issuecache_get(is->cache, key, &rec) != 0 || rec.pdf_sha[0] != 'x' || rec.pages < 1)
        return 0;
    char *out = g_strdup_printf("%s/%s.pdf", is->o->outdir, it->ma->stem);
    struct stat st;
    if (it->pre_pdf && stat(out, &st) == 0 && issuecache_same_stat(&st, &it->pre_st)) {
        issuecache_pdf_id(it->pre_pdf, it->pre_len, id);
    } else {
        gchar *bytes = NULL;
        gsize len = 0;
        if (g_file_get_contents(out, &bytes, &len, NULL))
            issuecache_pdf_id(bytes, len, id);
        g_free(bytes);
    }
    g_free(out);
    int same = strcmp(id, rec.pdf_sha) == 0;
    if (same) {
        it->set_pages = rec.pages;
        it->cached_warnings = rec.warnings;
    }
    return same;
}

/* The PDF bytes a merge did not take (it failed, or the numbering changed
 * and the article is set again). */
static void item_drop_pdf(Item *it)
{
    pdfcat_part_free(it->read);
    g_free(it->pdf);    /* malloc'd or g_malloc'd: the same allocator since GLib 2.46 */
    if (it->read_index)
        g_bytes_unref(it->read_index);
    it->read_index = NULL;
    it->read = NULL;
    it->pdf = NULL;
    it->pdf_len = 0;
}

/* The article's PDF read for the merge here, in its job, rather than in the
 * merge step, which runs in one thread at a time. */
static void item_read_pdf(Item *it, unsigned char *pdf, size_t len)
{
    it->pdf = pdf;
    it->pdf_len = len;
    it->read = pdfcat_read(pdf, len);   /* NULL: the merge goes to qpdf */
}

static void item_drop_pre(Item *it)
{
    pdfcat_part_free(it->pre_read);
    g_free(it->pre_pdf);
    it->pre_read = NULL;
    it->pre_pdf = NULL;
    it->pre_len = 0;
}

/* Phase 1, for an article whose count came from the cache: its PDF as the
 * last build left it, read (and parsed for the merge) now, while the other
 * threads lay out what changed, in case phase 2 finds it unchanged at the
 * same folio; in a rebuild those reads had been one thread's work in phase 2,
 * ahead of the edited article's merge. */
static void item_pre_read(Issue *is, Item *it)
{
    char *file = g_strdup_printf("%s/%s.pdf", is->o->outdir, it->ma->stem);
    gchar *bytes = NULL;
    gsize len = 0;
    struct stat st;
    if (stat(file, &st) == 0 && g_file_get_contents(file, &bytes, &len, NULL)) {
        it->pre_pdf = (unsigned char *)bytes;
        it->pre_len = len;
        it->pre_read = index_read(is, it, it->pre_pdf, len);
        it->pre_st = st;
    }
    g_free(file);
}

/* An unchanged article's PDF, from its file.  Nothing happens on failure:
 * the merge step then reads the file and reports what is wrong. */
static void item_read_file(Issue *is, Item *it)
{
    char *file = g_strdup_printf("%s/%s.pdf", is->o->outdir, it->ma->stem);
    struct stat st;
    if (it->pre_read && stat(file, &st) == 0 && issuecache_same_stat(&st, &it->pre_st)) {
        /* read in phase 1, and the file has not changed since */
        it->pdf = it->pre_pdf;
        it->pdf_len = it->pre_len;
        it->read = it->pre_read;
        it->pre_pdf = NULL;
        it->pre_read = NULL;
        it->pre_len = 0;
        g_free(file);
        return;
    }
    item_drop_pre(it);
    gchar *bytes = NULL;
    gsize len = 0;
    if (g_file_get_contents(file, &bytes, &len, NULL)) {
        it->pdf = (unsigned char *)bytes;
        it->pdf_len = len;
        it->read = index_read(is, it, it->pdf, len);
    }
    g_free(file);
}

/* Paints the article's layout into OUTDIR/STEM.pdf and records it; keeps
 * its bytes, read, for the merge. */
static void write_article(Issue *is, Item *it, TsContext *c)
{
    char *out = g_strdup_printf("%s/%s.pdf", is->o->outdir, it->ma->stem);
    unsigned char *pdf = NULL;
    size_t len = 0;
    item_drop_pdf(it);
    /* the file written now and committed (fsync, rename) by item_commit,
     * after the article's merging step and its paragraphs saved: the disk
     * writes it meanwhile, where the fsync had waited for it here (0.65 ms
     * an article) */
    if (article_render_pdf(it->art, c, is->pdf_epoch, &pdf, &len, &it->dl_set) != 0 ||
        !(it->pending = output_file_open_unnamed(out, &it->dl_set))) {
        it->failed = 1;
    } else {
        issuecache_pdf_id(pdf, len, it->pdf_id);
        output_file_append(it->pending, pdf, len, 1);
        if (is->stream || is->merge) {     /* (not is->merge while it may be made) */
            item_read_pdf(it, pdf, len);
            pdf = NULL;
            /* (here: the merge frees it->read once it has taken it) */
            it->read_index = pdfcat_index_save(it->read);
        }
    }
    free(pdf);
    g_free(out);
}

/* The PDF write_article wrote, committed, and recorded in the cache.  A
 * failed commit is kept apart (commit_failed): the merge may be reading
 * `failed` now. */
static void item_commit(Issue *is, Item *it)
{
    if (!it->pending)
        return;
    int rc = output_file_commit(it->pending, &it->dl_set);
    it->pending = NULL;
    if (rc != 0) {
        it->commit_failed = 1;
        return;
    }
    char *out = g_strdup_printf("%s/%s.pdf", is->o->outdir, it->ma->stem);
    char range[64];
    range_text(it, range, sizeof range);
    char key[ISSUECACHE_HEX];
    issuecache_key(it->content, "pdf", it->first, is->epoch, key);
    IssueCacheRecord rec = {.pages = it->set_pages, .warnings = it->dl_set.warnings};
    g_strlcpy(rec.pdf_sha, it->pdf_id, ISSUECACHE_HEX);
    issuecache_put(is->cache, key, &rec);
    if (it->read_index) {
        index_save(is, it, it->read_index);
        g_bytes_unref(it->read_index);
        it->read_index = NULL;
    }
    issuelog_line(is->log, "%s: set at %s, wrote %s", it->ma->name, range, out);
    g_free(out);
}

/* The article at its first folio in the issue, and its PDF (the layout is
 * dropped by job_after); phase 2's job, or phase 1's once its folio is
 * known (stream_worker).  Returns 1, having done nothing, when it
 * needs a context and none can be had: another thread sets it. */
static int set_article(Issue *is, Item *it, TsContext **cp)
{
    if (!*cp && !pdf_cached(is, it) && !(*cp = issuebuild_take_context(is, NULL)))
        return 1;
    TsContext *c = *cp;
    diag_list_fini(&it->dl_set);
    diag_list_init(&it->dl_set);
    it->cached_warnings = 0;
    item_drop_pdf(it);          /* a PDF of an earlier numbering */
    if (pdf_cached(is, it)) {
        it->set_at = it->first;
        if (is->stream || is->merge)
            item_read_file(is, it);
        char range[64];
        range_text(it, range, sizeof range);
        issuelog_set(is->log, it->set_pages);
        issuelog_line(is->log, "%s: set at %s, %s/%s.pdf unchanged", it->ma->name, range,
                      is->o->outdir, it->ma->stem);
        return 0;
    }
    item_drop_pre(it);          /* not unchanged after all */
    it->art->expect_pages = it->pages;     /* phase 1's count: usually one round, not two */
    /* an article phase 1 did not lay out in this context (its count came from
     * the cache, and its PDF is gone or of another folio; or another thread
     * measured it) takes its paragraphs from the last build's file: setting
     * an edit undone went from 55 to 8 ms */
    if (it->laid_at == it->first && it->ctx == c && it->art->laid_out &&
        article_pages(it->art) == it->pages) {
        /* phase 1 laid it out here, in this context: that layout, and its
         * warnings */
        diag_list_merge(&it->dl_set, &it->dl_laid);
    } else {
        if (it->ctx != c)
            paras_load(is, it, c);
        if (article_layout(it->art, c, it->first, &it->dl_set) != 0 || it->dl_set.errors > 0) {
            it->failed = 1;
            issuelog_line(is->log, "%s: failed", it->ma->name);
            return 0;
        }
    }
    it->set_at = it->first;
    it->set_pages = article_pages(it->art);
    it->ctx = c;
    issuelog_set(is->log, it->set_pages);
    /* when set_pages differs from the numbering's count, the articles after
     * this one move and are set again; this one stays where it is */
    write_article(is, it, c);
    return 0;
}

/* set_article, then the mark that lets the merge take the article. */
static int job_set(Issue *is, Item *it, TsContext **c)
{
    if (set_article(is, it, c) != 0)
        return 1;
    g_atomic_int_set(&it->ready, 1);
    return 0;
}

/* An article's layout done with: its paragraphs for the next build
 * (paras_save; not for one counted from the cache), then its glyphs go. */
static void item_done(Issue *is, Item *it)
{
    if (it->art && it->art->laid_out && !it->cached && !it->failed && !it->paras_saved) {
        paras_save(is, it);
        it->paras_saved = 1;
    }
    item_drop_glyphs(it);
}

/* The thread that commits the articles' PDFs (item_commit: the fsync of
 * the file, its rename, the fsync of the directory), so that the thread
 * that painted one goes on while the disk confirms it: this thread waits
 * 5 to 7 ms a build of the benchmark issue for the disk, which the workers
 * had waited (the only one at -j 1).  It stops at the sentinel, the Issue
 * itself. */
static gpointer committer(gpointer data)
{
    Issue *is = data;
    for (;;) {
        Item *it = g_async_queue_pop(is->commits);
        if ((void *)it == (void *)is)
            return NULL;
        item_commit(is, it);
        g_mutex_lock(&is->lock);
        is->commits_pending--;
        g_cond_broadcast(&is->commits_cond);
        g_mutex_unlock(&is->lock);
    }
}

/* item_commit, by the committer, the thread started at the first. */
static void commit_later(Issue *is, Item *it)
{
    if (!it->pending)
        return;
    g_mutex_lock(&is->lock);
    if (!is->committer) {
        is->commits = g_async_queue_new();
        is->committer = g_thread_new("commit", committer, is);
    }
    is->commits_pending++;
    g_mutex_unlock(&is->lock);
    g_async_queue_push(is->commits, it);
}

/* Until every PDF handed to the committer is committed (its item's commit
 * fields are the driver's again). */
static void commits_wait(Issue *is)
{
    g_mutex_lock(&is->lock);
    while (is->commits_pending > 0)
        g_cond_wait(&is->commits_cond, &is->lock);
    g_mutex_unlock(&is->lock);
}

/* After set_article, with the merge already free to take the article (it
 * is marked ready), in the thread holding c: item_done, and its place for the next build.  A layout
 * another context made (phase 1's, kept, when its PDF turned out to be in
 * the cache) is left for the driver (issuebuild_set): its glyphs hold that
 * context's fonts. */
static void job_after(Issue *is, Item *it, const TsContext *c)
{
    if (!it->failed)
        place_save(is, it);
    if (!(it->art && it->art->laid_out) || it->ctx == c)
        item_done(is, it);
    commit_later(is, it);
}

/* ---- the pool --------------------------------------------------------------------*/

/* Phase 1 takes its jobs in issue order (not longest first), the sources
 * changed since the last build first: the folios become known in that order
 * (run_stream), and the merge of issue.pdf, which needs the articles in that
 * order, follows the setting closely.  Phase 2 takes its own order
 * (next_owned).  The order changes when an article is set, never how. */
typedef struct Job {
    Issue *is;
    IssueJobFn fn;
    Item *it;
    int fresh;                  /* the source changed since the last issue.pdf */
} Job;

/* Sources changed since the last build first (in a rebuild, they are the
 * ones to lay out again: the others come from the cache in no time), then
 * in issue order. */
static int job_cmp_fresh(const void *a, const void *b)
{
    const Job *x = a, *y = b;
    if (x->fresh != y->fresh)
        return y->fresh - x->fresh;
    return x->it->k - y->it->k;
}

/* Outside streaming (phase 2, and an --assemble job's phases), a context's
 * engine keeps every paragraph it set until the issue is done (each article
 * is set once or twice, and a phase sets them all): phase 2 sets an article
 * again in the context that measured it, and finds its paragraphs there (a
 * fortieth of the first setting's time). */
static void keep_paragraphs(const Issue *is, TsContext *c)
{
    /* streaming, an article is set soon after it is measured: its
     * paragraphs need to last a few layouts, no more (STREAM_KEEP), and a
     * few more for each other thread, which may keep its folios unknown */
    unsigned all = (unsigned)is->n * ISSUE_MAX_ROUNDS + 2;
    unsigned few = STREAM_KEEP * (unsigned)MAX(is->o->jobs, 1);
    lay_engine_set_cache_keep(c->engine, is->stream && few < all ? few : all);
}

/* A new context, or NULL after adding why to dl. */
static TsContext *new_context(Issue *is, DiagList *dl)
{
    TsContext *c = xcalloc(1, sizeof *c);
    if (ctx_open(c, is->o->datadir, NULL, is->style, dl) != 0) {
        free(c);
        return NULL;
    }
    keep_paragraphs(is, c);
    g_mutex_lock(&is->lock);
    g_ptr_array_add(is->contexts, c);
    g_mutex_unlock(&is->lock);
    return c;
}

/* Waits for the thread opening the spare context, if one is still to be
 * waited for (by one caller only). */
static void join_spare_opener(Issue *is)
{
    g_mutex_lock(&is->lock);
    GThread *t = is->spare_opener;
    is->spare_opener = NULL;
    g_mutex_unlock(&is->lock);
    if (t)
        g_thread_join(t);
}

/* The spare context opened beside the first one, waited for: NULL when
 * there is none (none was started, another job took it, it failed). */
static TsContext *take_spare(Issue *is)
{
    join_spare_opener(is);
    g_mutex_lock(&is->lock);
    TsContext *c = is->spare;
    is->spare = NULL;
    if (c)
        g_ptr_array_add(is->contexts, c);
    g_mutex_unlock(&is->lock);
    if (c)
        keep_paragraphs(is, c);
    return c;
}

/* At -j 2 and more, phase 1's second thread needs a context of its own at
 * once: opened while the first one is (8 ms each, on two cores), it is
 * ready when that thread starts, rather than 8 ms into its first article.
 * A rebuild that lays out one article or none never takes it: it is closed
 * at the end, not counted, and cost only the idle core's time. */
static gpointer open_spare(gpointer data)
{
    Issue *is = data;
    TsContext *c = xcalloc(1, sizeof *c);
    DiagList quiet;             /* the first context reports what is wrong */
    diag_list_init(&quiet);
    if (ctx_open(c, is->o->datadir, NULL, is->style, &quiet) != 0) {
        free(c);
        c = NULL;
    }
    diag_list_fini(&quiet);
    g_mutex_lock(&is->lock);
    is->spare = c;
    g_mutex_unlock(&is->lock);
    return NULL;
}

TsContext *issuebuild_take_context(Issue *is, DiagList *dl)
{
    TsContext *c = g_async_queue_try_pop(is->idle);
    if (c)
        return c;
    if ((c = take_spare(is)))
        return c;
    DiagList quiet;
    diag_list_init(&quiet);
    c = new_context(is, dl ? dl : &quiet);
    diag_list_fini(&quiet);
    return c;
}

/* A job takes a context only when it lays an article out: a rebuild's
 * articles that come from the cache need none, and a thread that only
 * reads them does not open the fonts (6 ms) on the edited article's way. */
static void run_job(gpointer data, gpointer unused)
{
    (void)unused;
    Job *j = data;
    TsContext *c = NULL;
    j->fn(j->is, j->it, &c);
    if (c)
        g_async_queue_push(j->is->idle, c);
}

/* Streaming on or off; every context's cache keeps its paragraphs for as
 * long as that needs (keep_paragraphs): off, for phase 2. */
static void stream_switch(Issue *is, int on)
{
    is->stream = on;
    g_mutex_lock(&is->lock);
    for (guint i = 0; i < is->contexts->len; i++)
        keep_paragraphs(is, is->contexts->pdata[i]);
    g_mutex_unlock(&is->lock);
}

/* The jobs of the articles that want fn, with whether each source changed
 * since the last issue.pdf, in that order first (job_cmp_fresh); *nj of
 * them. */
/* Whether OUTDIR/issue.pdf is there (a rebuild), its status into *last. */
static int last_issue(const Issue *is, struct stat *last)
{
    char *prev = g_build_filename(is->o->outdir, "issue.pdf", NULL);
    int rebuild = stat(prev, last) == 0;
    g_free(prev);
    return rebuild;
}

/* Whether article k's source changed since the last issue.pdf (last). */
static int item_fresh(const Issue *is, int k, const struct stat *last)
{
    struct stat st;
    return stat(is->items[k].ma->path, &st) == 0 &&
           (st.st_mtim.tv_sec > last->st_mtim.tv_sec ||
            (st.st_mtim.tv_sec == last->st_mtim.tv_sec &&
             st.st_mtim.tv_nsec >= last->st_mtim.tv_nsec));
}

static Job *list_jobs(Issue *is, IssueJobFn fn, int (*want)(const Item *), int *nj)
{
    Job *jobs = xcalloc((size_t)is->n + 1, sizeof *jobs);
    struct stat last;           /* the previous build's issue.pdf, if any */
    int rebuild = last_issue(is, &last);
    *nj = 0;
    for (int k = 0; k < is->n; k++)
        if (!is->items[k].failed && want(&is->items[k]))
            jobs[(*nj)++] = (Job){.is = is, .fn = fn, .it = &is->items[k],
                                  .fresh = rebuild && item_fresh(is, k, &last)};
    qsort(jobs, (size_t)*nj, sizeof *jobs, job_cmp_fresh);
    return jobs;
}

/* Whether a second font context is worth opening ahead, beside the first:
 * not in a rebuild with one source changed, whose other articles come
 * from the cache (the context, 3 ms of a processor's time, went unused
 * while it contended with the rebuild's start on two).  A thread that
 * needs one after all opens it then. */
static int spare_wanted(const Issue *is)
{
    struct stat last;
    if (!last_issue(is, &last))
        return 1;
    int fresh = 0;
    for (int k = 0; k < is->n && fresh < 2; k++)
        fresh += item_fresh(is, k, &last);
    return fresh >= 2;
}

/* Runs fn on every article that wants it, on up to o->jobs threads, and
 * returns when all are done.  One job or one thread: in this thread. */
static void run_phase(Issue *is, IssueJobFn fn, int (*want)(const Item *))
{
    int nj;
    Job *jobs = list_jobs(is, fn, want, &nj);
    int threads = is->o->jobs < nj ? is->o->jobs : nj;
    GThreadPool *pool = threads > 1 ? g_thread_pool_new(run_job, NULL, threads, TRUE, NULL) : NULL;
    for (int i = 0; i < nj; i++) {
        if (pool)
            g_thread_pool_push(pool, &jobs[i], NULL);
        else
            run_job(&jobs[i], NULL);
    }
    if (pool)
        g_thread_pool_free(pool, FALSE, TRUE);
    free(jobs);
}

static int want_all(const Item *it)
{
    (void)it;
    return 1;
}

/* ---- phase 1, streaming ----------------------------------------------------------*/

/* Phase 1 streams (is->stream): once the articles before one are all
 * measured, its folios are known, and it is set at its real first page and
 * written at once, by the thread whose context measured it, while its
 * paragraphs are still in that engine's cache and in the processor's.
 * Phase 2 then finds it set where it belongs.  It is the same work as
 * phase 2's, in another order: the same setting, the same bytes.  It saves
 * memory (with every article's paragraphs kept for phase 2, the heap of the
 * benchmark issue at -j 1 had grown to 55 MB, 14,000 page faults) and, with
 * more threads, a second pass over paragraphs gone cold.  The articles are
 * measured in issue order (sources changed since the last build first: in a
 * rebuild they are the ones laid out), so that folios become known early,
 * and a thread sets what it can before it measures more.  An article whose
 * count at its folio differs from phase 1's (its page range moved a line)
 * stops the streaming: what is not yet set is phase 2's, which numbers it
 * again. */
typedef struct Stream {
    Issue *is;
    Job *jobs;
    int nj, next;               /* next: the first measuring job not taken */
    char *opened;               /* per article: its source is read (1) or failed (2) */
    char *measured;             /* per article: its measuring job is done */
    char *taken;                /* per article: its setting here was taken */
    int *count;                 /* per article measured: its page count, 0 when it
                                   failed (what the folios are numbered from: an
                                   Item's own fields are its job's to write) */
    int known;                  /* articles 1..known are measured: the folios of
                                   article known + 1 are known */
    int on;                     /* no article's count has moved at its folio */
    int running;                /* jobs being run */
    int waiting;                /* threads waiting for a change (with nothing to do) */
    GMutex lock;
    GCond changed;              /* a job ended, an article is ready to merge, the
                                   merge began or took steps */
} Stream;

typedef struct StreamWorker {
    Stream *s;
    TsContext *c;
} StreamWorker;

/* Whether article k (0-based) is the thread holding c's to set: measured,
 * not yet set, and laid out in c, or counted from the cache (any thread's:
 * its PDF is most likely unchanged, else it is set from the paragraphs the
 * last build saved).  Under the lock. */
static int stream_mine(const Stream *s, int k, const TsContext *c)
{
    const Item *it = &s->is->items[k];
    return s->on && s->measured[k] && !s->taken[k] && !it->failed &&
           (it->cached || (c && it->ctx == c));
}

/* The first article the thread holding c can set now, or -1.  Under the
 * lock. */
static int stream_next(const Stream *s, const TsContext *c)
{
    for (int k = 0; k < s->known; k++)
        if (stream_mine(s, k, c))
            return k;
    return -1;
}

/* Whether the thread holding c has an article to set once the ones before
 * it are measured.  Under the lock. */
static int stream_waits(const Stream *s, const TsContext *c)
{
    for (int k = s->known; k < s->is->n; k++)
        if (stream_mine(s, k, c))
            return 1;
    return 0;
}

/* Article k's first folio, from the counts of the articles before it (all
 * measured; its own, which may not be, only has to be more than none).
 * Under the lock. */
static int stream_folio(const Stream *s, int k)
{
    const Issue *is = s->is;
    int *pages = xcalloc((size_t)k + 2, sizeof *pages);
    int *first = xcalloc((size_t)k + 2, sizeof *first);
    for (int i = 0; i < k; i++)
        pages[i] = s->count[i];
    pages[k] = 1;
    issuepages_number(is->m->first_page, is->style->recto_start, pages, k + 1, first);
    int f = first[k];
    free(pages);
    free(first);
    return f;
}

/* Once every folio is known (every article but the last is measured) and
 * every source read (the cover and contents show their titles and authors),
 * and no article failed or changed its count at its folio, the issue is
 * numbered as phase 2 would number it, and the merge of issue.pdf begins,
 * beside the measuring and setting of the last articles; phase 2 finds it
 * begun.  Under the lock. */
static void stream_merge(Stream *s)
{
    Issue *is = s->is;
    if (is->merge || !s->on || s->known < is->n - 1)
        return;
    for (int k = 0; k < is->n; k++)     /* (one being measured may not fail yet) */
        if (s->opened[k] != 1 || (s->measured[k] && s->count[k] == 0))
            return;
    for (int k = 0; k < is->n; k++)
        if (!s->taken[k])       /* (the others' folios are set: the same) */
            is->items[k].first = stream_folio(s, k);
    is->merge = issuemerge_new(is);
}

/* A streaming thread: takes the merge's ready steps, then sets what it
 * can, else measures the next article, else waits while another thread
 * works (its articles may let this one set, or merge); leaves when no
 * thread does. */
static gpointer stream_worker(gpointer data)
{
    StreamWorker *w = data;
    Stream *s = w->s;
    Issue *is = s->is;
    g_mutex_lock(&s->lock);
    for (;;) {
        /* the merge's ready steps first: its chain (the cover and
         * contents, then each article in turn) must not wait to the end */
        int took = 0;
        /* (not while this thread has an article to set and another waits
         * with nothing to do: that one takes the steps, woken by this
         * thread's broadcasts, while this one sets; in a rebuild the
         * thread that laid out the edited article had merged every
         * unchanged one before it, then set it, while the other waited) */
        if (is->merge && !(s->waiting > 0 && stream_next(s, w->c) >= 0)) {
            s->running++;
            g_mutex_unlock(&s->lock);
            while (issuemerge_step(is->merge, &w->c))
                took = 1;
            g_mutex_lock(&s->lock);
            s->running--;
            /* (not when nothing was taken, unless no thread runs now:
             * two idle threads would wake each other without end) */
            if (took || s->running == 0)
                g_cond_broadcast(&s->changed);
        }
        int k = stream_next(s, w->c);
        if (k >= 0) {
            s->taken[k] = 1;
            Item *it = &is->items[k];
            if (!is->merge)     /* (else stream_merge numbered it: the merge reads it) */
                it->first = stream_folio(s, k);
            s->running++;
            g_mutex_unlock(&s->lock);
            /* (given back: no context to be had here; phase 2's) */
            int given_back = set_article(is, it, &w->c) != 0;
            int stop = given_back || it->failed || it->set_pages != it->pages;
            if (!given_back)
                g_atomic_int_set(&it->ready, 1);
            g_mutex_lock(&s->lock);     /* the merge may take it; the others stop
                                           taking articles at wrong folios */
            if (stop)
                s->on = 0;
            g_cond_broadcast(&s->changed);
            IssueMerge *im = is->merge;
            int others_wait = s->waiting > 0;
            g_mutex_unlock(&s->lock);
            /* the merging steps now ready (its own among them) first, here,
             * where its bytes are warm (and without waiting for another
             * thread to wake: the last article's had waited 2 ms for one),
             * then what only the next build needs; but while another
             * thread waits with nothing to do, that one takes the steps
             * (woken above) beside this one's saving its paragraphs and
             * committing its PDF (3.5 ms of the 40 of a rebuild, which had
             * come after the unchanged articles' steps) */
            while (im && !given_back && !others_wait && issuemerge_step(im, &w->c))
                ;
            if (!given_back)
                job_after(is, it, w->c);
            g_mutex_lock(&s->lock);
            s->running--;
            g_cond_broadcast(&s->changed);
        } else if (s->next < s->nj) {
            Job *j = &s->jobs[s->next++];
            s->running++;
            g_mutex_unlock(&s->lock);
            int bad = !j->it->art && item_open(is, j->it) != 0;
            if (bad)
                j->it->failed = 1;      /* (job_measure says so) */
            g_mutex_lock(&s->lock);
            s->opened[j->it->k - 1] = bad ? 2 : 1;
            stream_merge(s);
            if (is->merge)      /* (begun: a waiting thread takes the front) */
                g_cond_broadcast(&s->changed);
            g_mutex_unlock(&s->lock);
            j->fn(is, j->it, &w->c);
            g_mutex_lock(&s->lock);
            s->running--;
            s->measured[j->it->k - 1] = 1;
            s->count[j->it->k - 1] = j->it->failed ? 0 : j->it->pages;
            while (s->known < is->n && s->measured[s->known])
                s->known++;
            stream_merge(s);
            g_cond_broadcast(&s->changed);
        } else if (took) {
            continue;
        } else {
            /* a running thread broadcasts when it is done (the articles
             * before one of this thread's are then measured, or one it
             * wants to merge is set); with none, nothing is left */
            if (s->running == 0 && !stream_waits(s, w->c))
                break;
            s->waiting++;
            g_cond_wait(&s->changed, &s->lock);
            s->waiting--;
        }
    }
    g_mutex_unlock(&s->lock);
    return NULL;
}

/* Phase 1, streaming, on up to o->jobs threads (this one the first). */
static void run_stream(Issue *is)
{
    Stream s = {.is = is, .on = 1};
    s.jobs = list_jobs(is, job_measure, want_all, &s.nj);
    s.opened = xcalloc((size_t)is->n + 1, 1);
    s.measured = xcalloc((size_t)is->n + 1, 1);
    s.taken = xcalloc((size_t)is->n + 1, 1);
    s.count = xcalloc((size_t)is->n + 1, sizeof *s.count);
    g_mutex_init(&s.lock);
    g_cond_init(&s.changed);
    int threads = is->o->jobs < s.nj ? is->o->jobs : s.nj;
    if (threads < 1)
        threads = 1;
    StreamWorker *w = xcalloc((size_t)threads, sizeof *w);
    GThread **t = xcalloc((size_t)threads, sizeof *t);
    for (int i = 0; i < threads; i++)
        w[i].s = &s;
    for (int i = 1; i < threads; i++)
        t[i] = g_thread_new("measure", stream_worker, &w[i]);
    stream_worker(&w[0]);
    for (int i = 1; i < threads; i++)
        g_thread_join(t[i]);
    for (int i = 0; i < threads; i++)
        if (w[i].c)
            g_async_queue_push(is->idle, w[i].c);
    g_cond_clear(&s.changed);
    g_mutex_clear(&s.lock);
    free(t);
    free(w);
    free(s.taken);
    free(s.count);
    free(s.measured);
    free(s.opened);
    free(s.jobs);
}

/* Phase 2 runs one thread per job slot, and each thread sets first the
 * articles its context measured: their paragraphs are in its cache.  The
 * idle contexts are handed out first; a thread without one opens one only
 * when an article it takes must be set (a rebuild's unchanged articles need
 * none). */
typedef struct Owned {
    Issue *is;
    Job *jobs;
    char *taken;
    int nj;
    int running;                /* jobs taken and not yet finished or given back */
    unsigned changes;           /* counts the broadcasts of `changed` */
    TsContext **held;           /* the workers' contexts when they start */
    int n_held;
    int shut;                   /* threads that gave up for want of a context */
    int waiting;                /* threads waiting for a change (atomic) */
    double dear;                /* a paint cost this high goes first (next_owned) */
    GMutex lock;
    GCond changed;              /* a job finished, or a thread gave up */
} Owned;

typedef struct Worker {
    Owned *o;
    TsContext *c;
} Worker;

/* Whether another thread holds context x (the workers' contexts are fixed
 * before they start; one a worker opens later measured nothing). */
static int held(const Owned *o, const TsContext *x)
{
    for (int i = 0; i < o->n_held; i++)
        if (o->held[i] == x)
            return 1;
    return 0;
}

/* The next job for the thread holding c: of the untaken ones measured in c,
 * the dearest to paint if it is dear (phase 1's estimate, half as much
 * again as the average: a Chinese article, which left to the end would
 * leave the other thread idle and hold up every merging step after it),
 * else the first in issue order (the merge appends the articles in that
 * order: set cheapest-last, the early short ones held up nine merging steps
 * to the very end, 11 ms of one thread alone); else
 * the first measured in none; else one measured in a context no thread
 * holds; else, set cold here (its layout again), the cheapest of another
 * thread's when that thread has two or more left: with one left, it will
 * set it warm sooner than this thread could cold.  NULL when none is left
 * for this thread. */
static Job *next_owned(Owned *o, const TsContext *c, unsigned *changes)
{
    g_mutex_lock(&o->lock);
    *changes = o->changes;
    int pick = -1;
    for (int i = 0; i < o->nj; i++)
        if (!o->taken[i] && c && o->jobs[i].it->ctx == c && o->jobs[i].it->paint_cost >= o->dear &&
            (pick < 0 || o->jobs[i].it->paint_cost > o->jobs[pick].it->paint_cost))
            pick = i;
    for (int i = 0; i < o->nj && pick < 0; i++)
        if (!o->taken[i] && c && o->jobs[i].it->ctx == c)
            pick = i;
    for (int i = 0; i < o->nj && pick < 0; i++)
        if (!o->taken[i] && o->jobs[i].it->ctx == NULL)
            pick = i;
    for (int i = 0; i < o->nj && pick < 0; i++)
        if (!o->taken[i] && !held(o, o->jobs[i].it->ctx))
            pick = i;
    for (int i = 0; i < o->nj && pick < 0; i++) {
        const TsContext *x = o->jobs[i].it->ctx;
        int left = 0, cheapest = -1;
        for (int k = 0; k < o->nj; k++)
            if (!o->taken[k] && o->jobs[k].it->ctx == x) {
                left++;
                /* (not one whose phase-1 layout is kept: its glyphs hold
                 * the fonts of a context another thread is using) */
                if (!o->jobs[k].it->laid_at &&
                    (cheapest < 0 || o->jobs[k].it->paint_cost < o->jobs[cheapest].it->paint_cost))
                    cheapest = k;
            }
        if (!o->taken[i] && left >= 2 && cheapest >= 0)
            pick = cheapest;
    }
    if (pick >= 0) {
        o->taken[pick] = 1;
        o->running++;
    }
    g_mutex_unlock(&o->lock);
    return pick >= 0 ? &o->jobs[pick] : NULL;
}

/* Between articles, a worker takes whatever merging steps are ready, unless
 * another thread waits with nothing to do and the front is merged (the
 * steps left need no context, which the waiting thread may not have): it
 * leaves the steps to that one (and wakes it) and sets its next article.
 * (In a rebuild, the thread
 * holding the edited article's context had merged every unchanged article
 * before it, one by one, before setting it, while the other waited.)  With
 * no article left to take, a worker waits for the others' jobs, taking the
 * steps their articles make ready (rather than leave them all to whichever
 * thread finishes last), and takes over a job given back for want of a
 * context. */
static gpointer owned_worker(gpointer data)
{
    Worker *w = data;
    Owned *o = w->o;
    IssueMerge *im = o->is->merge;
    for (;;) {
        unsigned seen;
        Job *j = next_owned(o, w->c, &seen);
        int left = 0;               /* steps left to a waiting thread */
        while (im && !(left = j && g_atomic_int_get(&o->waiting) > 0 && issuemerge_front_done(im)) &&
               issuemerge_step(im, &w->c))
            ;
        if (left) {
            g_mutex_lock(&o->lock);
            o->changes++;
            g_cond_broadcast(&o->changed);
            g_mutex_unlock(&o->lock);
        }
        if (j) {
            int given_back = j->fn(j->is, j->it, &w->c) != 0;
            g_mutex_lock(&o->lock);
            o->running--;
            if (given_back) {
                o->taken[j - o->jobs] = 0;  /* a thread with a context sets it */
                o->shut++;
            }
            o->changes++;
            g_cond_broadcast(&o->changed);
            g_mutex_unlock(&o->lock);
            if (given_back)
                break;
            job_after(j->is, j->it, w->c);
            continue;
        }
        /* Nothing for this thread when it looked.  If nothing changed since
         * (a job ending, or one given back, which may be this thread's to
         * take) it waits for a change, or leaves when no job is running:
         * what is left untaken is another thread's, which takes it. */
        g_mutex_lock(&o->lock);
        int leave = 0;
        if (o->changes == seen) {
            if (o->running == 0) {
                leave = 1;
            } else {
                g_atomic_int_inc(&o->waiting);
                g_cond_wait(&o->changed, &o->lock);
                g_atomic_int_add(&o->waiting, -1);
            }
        }
        g_mutex_unlock(&o->lock);
        if (leave)
            break;
    }
    return NULL;
}

/* As run_phase, with up to o->jobs threads, each preferring its own
 * articles; the first holds a context (there is always one idle between
 * phases), the others the idle ones left or none until they need one. */
static void run_phase_owned(Issue *is, IssueJobFn fn, int (*want)(const Item *))
{
    Owned o = {.is = is, .jobs = xcalloc((size_t)is->n + 1, sizeof *o.jobs)};
    for (int k = 0; k < is->n; k++)
        if (!is->items[k].failed && want(&is->items[k]))
            o.jobs[o.nj++] = (Job){.is = is, .fn = fn, .it = &is->items[k]};
    o.taken = xcalloc((size_t)o.nj + 1, 1);
    double sum = 0;
    for (int i = 0; i < o.nj; i++)
        sum += o.jobs[i].it->paint_cost;
    o.dear = o.nj ? 1.5 * sum / o.nj : 0;
    g_mutex_init(&o.lock);
    g_cond_init(&o.changed);
    int threads = is->o->jobs < o.nj ? is->o->jobs : o.nj;
    if (threads < 1)
        threads = 1;
    Worker *w = xcalloc((size_t)threads + 1, sizeof *w);
    for (int i = 0; i < threads; i++)
        w[i] = (Worker){&o, g_async_queue_try_pop(is->idle)};
    if (!w[0].c)
        w[0].c = issuebuild_take_context(is, &is->dl);
    o.held = xcalloc((size_t)threads + 1, sizeof *o.held);
    for (int i = 0; i < threads; i++)
        if (w[i].c)
            o.held[o.n_held++] = w[i].c;
    GThread **t = xcalloc((size_t)threads + 1, sizeof *t);
    for (int i = 1; i < threads; i++)
        t[i] = g_thread_new("set", owned_worker, &w[i]);
    owned_worker(&w[0]);
    for (int i = 1; i < threads; i++)
        g_thread_join(t[i]);
    /* what no thread could take (no context at all): failed, with why */
    for (int i = 0; i < o.nj; i++)
        if (!o.taken[i]) {
            Item *it = o.jobs[i].it;
            diag_add(&it->dl_set, DIAG_ERROR, is->m->path, it->ma->line, it->ma->col,
                     "'%s' was not set: no font context could be opened", it->ma->name);
            it->failed = 1;
            g_atomic_int_set(&it->ready, 1);
        }
    if (o.shut)
        diag_add(&is->dl, DIAG_WARNING, is->m->path, 1, 1,
                 "phase 2 ran on fewer threads than %d: a font context could not be opened", threads);
    for (int i = 0; i < threads; i++)
        if (w[i].c)
            g_async_queue_push(is->idle, w[i].c);
    g_cond_clear(&o.changed);
    g_mutex_clear(&o.lock);
    free(o.held);
    free(t);
    free(w);
    free(o.taken);
    free(o.jobs);
}

static int want_set(const Item *it)
{
    return it->set_at != it->first;
}

/* The articles whose PDF could not be committed (item_commit) are failed,
 * now that no job runs and every commit is done. */
static void fold_commits(Issue *is)
{
    commits_wait(is);
    for (int k = 0; k < is->n; k++)
        if (is->items[k].commit_failed) {
            is->items[k].commit_failed = 0;
            is->items[k].failed = 1;
        }
}

void issuebuild_measure(Issue *is, int k)
{
    if (k == 0) {
        /* (not for an --assemble job, whose counts all come from the cache) */
        if (is->o->assemble) {
            run_phase(is, job_measure, want_all);
            fold_commits(is);
        } else {
            stream_switch(is, 1);
            run_stream(is);
            stream_switch(is, 0);
            fold_commits(is);
        }
        return;
    }
    TsContext *c = g_async_queue_pop(is->idle);
    job_measure(is, &is->items[k - 1], &c);
    g_async_queue_push(is->idle, c);
    fold_commits(is);
}

/* ---- numbering and setting ----------------------------------------------------*/

/* Numbers the pages from the counts, sets what moved, and repeats while an
 * article set at its real first page turns out longer or shorter than
 * measured. */
int issuebuild_set(Issue *is)
{
    int *pages = xcalloc((size_t)is->n + 1, sizeof *pages);
    int *first = xcalloc((size_t)is->n + 1, sizeof *first);
    int settled = 0;
    for (int round = 0; round < ISSUE_MAX_ROUNDS && !settled; round++) {
        for (int k = 0; k < is->n; k++)
            pages[k] = is->items[k].failed ? 0 : is->items[k].pages;
        issuepages_number(is->m->first_page, is->style->recto_start, pages, is->n, first);
        int failed = 0, moved = 0;
        for (int k = 0; k < is->n; k++) {
            Item *it = &is->items[k];
            moved |= it->first != first[k];
            it->first = first[k];
            if (it->set_at != it->first && it->laid_at != it->first)
                item_release_layout(it);    /* no job runs now */
            g_atomic_int_set(&it->ready, !want_set(it));
            failed |= it->failed;
        }
        /* issue.pdf is merged while the articles are set (not when one
         * failed: there will be none); phase 1 may have begun it at these
         * folios (stream_merge) */
        if (is->merge && failed) {     /* begun in phase 1, before one failed */
            issuemerge_free(is->merge);
            is->merge = NULL;
        } else if (is->merge) {
            if (round > 0 || moved)
                issuemerge_restart(is->merge);
        } else if (!failed) {
            is->merge = issuemerge_new(is);
        }
        if (round > 0)
            issuelog_reset_set(is->log);
        run_phase_owned(is, job_set, want_set);
        fold_commits(is);
        for (int k = 0; k < is->n; k++)     /* what job_after left (no job runs now) */
            if (is->items[k].art && is->items[k].art->laid_out && is->items[k].set_at)
                item_done(is, &is->items[k]);
        settled = 1;
        for (int k = 0; k < is->n; k++) {
            Item *it = &is->items[k];
            if (!it->failed && it->set_pages != it->pages) {
                issuelog_line(is->log, "%s: %d pages at p. %d, not %d: numbering again", it->ma->name,
                              it->set_pages, it->first, it->pages);
                it->pages = it->set_pages;
                settled = 0;
            }
        }
    }
    free(pages);
    free(first);
    if (!settled)
        diag_add(&is->dl, DIAG_ERROR, is->m->path, 1, 1,
                 "the page numbers did not settle after %d rounds of setting", ISSUE_MAX_ROUNDS);
    return settled ? 0 : -1;
}

int issuebuild_open(Issue *is, const IssueOptions *o, Manifest *m)
{
    is->o = o;
    is->m = m;
    diag_list_init(&is->dl);
    g_mutex_init(&is->lock);
    is->idle = g_async_queue_new();
    is->contexts = g_ptr_array_new();
    g_cond_init(&is->commits_cond);
    is->epoch = source_date_epoch();
    is->pdf_epoch = is->epoch >= 0 ? is->epoch : (long long)time(NULL);
    is->cache_dir = g_build_filename(o->outdir, ".cache", NULL);
    is->cache = issuecache_open(is->cache_dir);
    is->n = m->n_articles;
    is->items = xcalloc((size_t)is->n + 1, sizeof *is->items);
    for (int k = 0; k < is->n; k++) {
        is->items[k] = (Item){.ma = &m->articles[k], .k = k + 1};
        diag_list_init(&is->items[k].dl_open);
        diag_list_init(&is->items[k].dl_set);
        diag_list_init(&is->items[k].dl_laid);
    }
    is->log = issuelog_new(o->quiet, isatty(2), is->n);
    is->style = style_load(o->style ? o->style : m->style ? m->style : "rjwpln", o->datadir, &is->dl);
    if (!is->style || output_mkdirs(o->outdir, &is->dl) != 0 || output_mkdirs(is->cache_dir, &is->dl) != 0)
        return -1;
    /* after the cache directory: overrides_text remembers file digests
     * there; on a new one it reads and digests the dictionaries (4 ms),
     * which its own thread does while this one opens the first context */
    OverridesJob oj = {m, is->cache, NULL};
    GThread *ot = g_thread_new("overrides", overrides_job, &oj);
    if (o->jobs > 1 && is->n > 1 && !o->article && !o->assemble && spare_wanted(is))
        is->spare_opener = g_thread_new("context", open_spare, is);
    TsContext *c = xcalloc(1, sizeof *c);
    int opened = ctx_open(c, o->datadir, NULL, is->style, &is->dl);
    g_thread_join(ot);
    is->overrides = oj.text;
    if (opened != 0) {
        free(c);
        return -1;
    }
    /* the font files themselves, as the configuration finds them (a font
     * package updated sets other glyphs: every key changes) */
    char *fonts = fontlib_files_identity(c->fonts);
    char *with = g_strconcat(is->overrides, "fonts:\n", fonts, NULL);
    g_free(fonts);
    g_free(is->overrides);
    is->overrides = with;
    keep_paragraphs(is, c);
    g_ptr_array_add(is->contexts, c);
    g_async_queue_push(is->idle, c);
    return 0;
}

/* Articles before the contexts whose fonts their glyphs hold. */
void issuebuild_say(Issue *is)
{
    for (int k = 0; k < is->n; k++) {
        Item *it = &is->items[k];
        print_diags(&it->dl_open);
        print_diags(&it->dl_set);
        diag_list_fini(&it->dl_open);
        diag_list_fini(&it->dl_set);
        diag_list_init(&it->dl_open);
        diag_list_init(&it->dl_set);
    }
    print_diags(&is->dl);
    diag_list_fini(&is->dl);
    diag_list_init(&is->dl);
}

void issuebuild_wait_hyph(Issue *is)
{
    if (is->hyph_loader)
        is->hyph_hold = g_thread_join(is->hyph_loader);
    is->hyph_loader = NULL;
    join_spare_opener(is);
}

void issuebuild_close(Issue *is)
{
    issuebuild_wait_hyph(is);
    if (is->committer) {
        commits_wait(is);
        g_async_queue_push(is->commits, is);
        g_thread_join(is->committer);
        g_async_queue_unref(is->commits);
        is->committer = NULL;
    }
    g_cond_clear(&is->commits_cond);
    lay_hyph_unhold(is->hyph_hold);
    is->hyph_hold = NULL;
    issuemerge_free(is->merge);
    issuebuild_say(is);
    for (int k = 0; k < is->n; k++) {
        Item *it = &is->items[k];
        output_file_abort(it->pending);     /* (none: every job commits its own) */
        item_drop_pdf(it);
        item_drop_pre(it);
        article_free(it->art);
        diag_list_fini(&it->dl_open);
        diag_list_fini(&it->dl_set);
        diag_list_fini(&it->dl_laid);
    }
    if (is->spare) {            /* opened, never taken */
        ctx_close(is->spare);
        free(is->spare);
        is->spare = NULL;
    }
    for (guint i = 0; i < is->contexts->len; i++) {
        ctx_close(is->contexts->pdata[i]);
        free(is->contexts->pdata[i]);
    }
    g_ptr_array_free(is->contexts, TRUE);
    g_async_queue_unref(is->idle);
    g_mutex_clear(&is->lock);
    if (is->style)
        style_free(is->style);
    issuelog_free(is->log);
    diag_list_fini(&is->dl);
    free(is->items);
    g_free(is->cache_dir);
    issuecache_free(is->cache);
    g_free(is->overrides);
}
