/* model.h — the document model: what an article says, not how it looks.
 * Built by frontmatter.c (metadata, references) and markdown.c (body, abstract,
 * footnotes); read by compose.c.  Every pointer lives in the article's Arena.
 * Positions are 1-based line/column in the source file (body positions are
 * already shifted past the front matter). */
#ifndef TS_MODEL_H
#define TS_MODEL_H

#include "../layout/base.h"

/* ---- inline content: a flat list of runs ---------------------------------*/
enum {
    DOC_ITALIC = 1 << 0,
    DOC_BOLD = 1 << 1,
    DOC_CODE = 1 << 2,      /* inline code: monospace role, never hyphenated */
    DOC_SUPER = 1 << 3,     /* superscript (footnote markers) */
    DOC_SUB = 1 << 4,
    DOC_STRIKE = 1 << 5,
    DOC_NOHYPH = 1 << 6,    /* URLs, DOIs, e-mail: break after / . - without hyphen */
};

typedef struct DocRun {
    const char *text;       /* UTF-8, never NULL; "\n" only as a hard line break run */
    unsigned flags;         /* DOC_* above */
    const char *link;       /* "https://…", "mailto:…", or "#dest" for an internal
                               named destination (e.g. "#ref-3"); NULL if none */
    int footnote;           /* > 0: this run is the marker of footnote N */
    int line, col;          /* where the run starts in the source */
} DocRun;

typedef struct DocInlines {
    DocRun *runs;
    int n;
} DocInlines;

/* ---- blocks ----------------------------------------------------------------
 * Blocks are a flat list in reading order; nesting of lists and quotes is
 * recorded as depths (capped at DOC_MAX_DEPTH by the reader, deeper nesting is
 * flattened to the cap) so no later stage recurses on input structure. */
#define DOC_MAX_DEPTH 16

typedef enum {
    DOC_PARA,               /* in: text */
    DOC_HEADING,            /* level 1..6, in: text */
    DOC_CODEBLOCK,          /* in: a single DOC_CODE run with the literal text */
    DOC_RULE,               /* thematic break */
    DOC_TABLE,              /* ncols, nrows, cells, align, header_rows */
    DOC_IMAGE,              /* a paragraph that is only an image: src, in = caption */
} DocBlockKind;

typedef struct DocBlock {
    DocBlockKind kind;
    int level;              /* heading level */
    int list_depth;         /* 0 = not in a list */
    int quote_depth;        /* 0 = not in a block quote */
    const char *marker;     /* first paragraph of a list item: "1.", "•"; else NULL */
    int item_continues;     /* 1 for later paragraphs of the same list item */
    DocInlines in;
    /* tables */
    int ncols, nrows, header_rows;
    char *align;            /* ncols chars: 'l', 'c', 'r' or 'n' (none) */
    DocInlines *cells;      /* nrows * ncols, row-major */
    /* images */
    const char *src;
    int line, col;
} DocBlock;

typedef struct DocBlocks {
    DocBlock *v;
    int n;
} DocBlocks;

/* ---- metadata ----------------------------------------------------------------*/
typedef struct DocAuthor {
    const char *name, *affiliation, *country, *address, *email, *orcid, *bio;
    int line, col;
} DocAuthor;

typedef struct DocRef {
    const char *id;         /* citation key; "refN" (1-based) when the item was a string */
    const char *text;       /* the reference as printed (Markdown inline syntax allowed) */
    DocInlines in;          /* text parsed to runs (filled by markdown.c) */
    const char *doi;        /* bare DOI "10.xxxx/…" or NULL */
    const char *url;
    int line, col;
} DocRef;

typedef struct DocFootnote {
    int number;             /* 1-based, in order of first reference */
    DocBlocks blocks;
} DocFootnote;

typedef struct DocMeta {
    const char *title, *subtitle, *lang, *doi, *article_type;
    const char *received, *accepted, *published, *license;
    const char *journal, *issn, *volume, *number, *year;
    int first_page;         /* 0 = not given */
    DocAuthor *authors;
    int n_authors;
    const char *abstract;   /* Markdown source, NULL if none */
    int abstract_line;      /* where the abstract's text starts, for diagnostics */
    const char **keywords;
    int n_keywords;
    int title_line, title_col;
    DocInlines title_in;    /* the title as inline Markdown (emphasis, code); title
                               itself is then its plain text, for metadata and heads */
} DocMeta;

typedef struct Doc {
    const char *path;       /* the source file as named on the command line */
    DocMeta meta;
    DocRef *refs;
    int n_refs;
    DocBlocks abstract;     /* abstract parsed as Markdown */
    DocBlocks body;
    DocFootnote *footnotes;
    int n_footnotes;
    int body_line;          /* first line of the Markdown body in the file */
    /* read light (source_read_file_light): the body, abstract and reference
     * texts not parsed yet; body_src is the body's text for source_complete */
    int light;
    const char *body_src;
    size_t body_src_len;
} Doc;

#endif
