/* article.h — one article as a job, and the per-thread context it runs in.
 * A TsContext holds what outlives articles: the style (read-only, may be
 * shared between contexts), the font configuration and the layout engine (one
 * per thread).  An Article owns its arena, document model and layout; it is
 * laid out for a given first page (the page range is iterated to a fixed
 * point, see article_layout) and can then be painted any number of times. */
#ifndef TS_ARTICLE_H
#define TS_ARTICLE_H

#include "pdfpost.h"
#include "../fonts/fontload.h"
#include "../layout/layout.h"
#include "model.h"
#include "style.h"

typedef struct TsContext {
    const char *datadir;
    Style *style;           /* owned unless shared_style */
    int shared_style;
    FontLib *fonts;
    LayEngine *engine;
} TsContext;

/* Loads the style (when style is non-NULL; else uses `shared`, borrowed) and the
 * fonts, and checks that every family the style names is configured.
 * Returns 0 or -1 (diagnostics added). */
int ctx_open(TsContext *c, const char *datadir, const char *style, Style *shared, DiagList *dl);
void ctx_close(TsContext *c);
/* Replaces the context's style by st (a reloaded style file, typeset watch)
 * after checking its families against the context's fonts, keeping fonts and
 * engine.  On success the context owns st and frees its previous style unless
 * that was shared; on failure (-1, diagnostics added) nothing changes and st
 * stays the caller's. */
int ctx_set_style(TsContext *c, Style *st, DiagList *dl);

typedef struct Article {
    Arena arena;            /* the document model, for the article's life */
    Arena layout;           /* the layout's input and pages: emptied when the
                               layout is dropped (an issue lays every article
                               out twice, and kept them all: 20 MB) */
    Doc doc;
    LayResult result;
    int first_page, last_page;
    int laid_out;
    int expect_pages;       /* set by the caller: the page count the layout
                               should guess first (typeset watch: the last
                               build's); 0 = one page.  A right guess saves
                               the second layout round, the result is the same */
    double bleed_pt, marks_pt;  /* set by the caller: print bleed and crop-mark area */
    int frames;             /* set by the caller: article_write_pdf and
                               article_render_pdf draw the layout frames
                               (frames.h) over every page */
} Article;

/* Reads and validates the source.  Returns NULL after adding errors. */
Article *article_open(const char *path, DiagList *dl);
/* The front matter only (source_read_file_light); article_complete reads
 * the rest before the article is laid out (a no-op on a full one). */
Article *article_open_light(const char *path, DiagList *dl);
int article_complete(Article *art, DiagList *dl);
/* The same on a buffer (tests, fuzzers); name is used in diagnostics. */
Article *article_open_buffer(const char *name, const char *buf, size_t len, DiagList *dl);
/* Lays out with the article's first page at first_page (<= 0: the front
 * matter's first_page, else 1).  Adds TeX-style warnings for bad lines. */
int article_layout(Article *art, TsContext *c, int first_page, DiagList *dl);
int article_pages(const Article *art);
/* Drops the layout (its glyphs and everything it allocated); the model stays. */
void article_drop_layout(Article *art);
/* Paints, post-processes and writes the PDF atomically. epoch < 0: now. */
int article_write_pdf(const Article *art, const TsContext *c, const char *out_path, long long epoch,
                      DiagList *dl);
/* Paints and post-processes into memory: *out is malloc'd (caller frees). */
int article_render_pdf(const Article *art, const TsContext *c, long long epoch, unsigned char **out,
                       size_t *out_len, DiagList *dl);
void article_free(Article *art);

#endif
