/* source.h — reads an article source (YAML front matter + Markdown body) into
 * the document model.  frontmatter.c does the YAML half with libyaml (an event
 * pass first caps depth, aliases and size); markdown.c the body with cmark-gfm
 * and resolves citations and footnotes.  Everything allocated lands in the
 * caller's Arena; problems go to the DiagList as FILE:LINE:COL diagnostics. */
#ifndef TS_SOURCE_H
#define TS_SOURCE_H

#include "model.h"

/* Input limits: past them the source is refused with an error, never a hang. */
#define SRC_MAX_BYTES (16u << 20)      /* whole article file */
#define SRC_MAX_FRONT_BYTES (1u << 20) /* YAML front matter block */
#define SRC_MAX_YAML_DEPTH 64
#define SRC_MAX_MD_DEPTH 1000          /* Markdown nesting beyond this is refused */

/* Reads the whole file at path (refuses binary, NUL bytes, invalid UTF-8,
 * over-size input with a positioned error) and fills *doc.  Returns 0 on
 * success; -1 after adding at least one error to dl.  Warnings (unknown
 * front-matter key, unknown citation) are added without failing. */
int source_read_file(const char *path, Doc *doc, Arena *a, DiagList *dl);

/* The same on a buffer already in memory (used by tests and fuzzers);
 * path is only used in diagnostics. */
int source_read_buffer(const char *path, const char *buf, size_t len, Doc *doc, Arena *a,
                       DiagList *dl);

/* The front matter only (and the title's inline markup): what an issue needs
 * of an article whose pages come from its cache (title, authors, metadata).
 * The body is kept as text in the arena; source_complete parses it, the
 * abstract and the reference texts when the article is to be laid out.  Use
 * only on a source whose full reading gave no diagnostics (the order of the
 * title's and the body's would differ). */
int source_read_file_light(const char *path, Doc *doc, Arena *a, DiagList *dl);
int source_complete(Doc *doc, Arena *a, DiagList *dl);

/* --- the two halves, exposed for unit tests --- */

/* Splits buf into front matter and body.  The front matter must start at byte 0
 * with a line "---" and end with a line "---" (or "..."); *body, *body_len and
 * *body_line (1-based line where the body starts) are set.  Parses the YAML
 * into doc->meta and doc->refs. Returns 0 or -1 (error added). */
int frontmatter_parse(const char *path, const char *buf, size_t len, Doc *doc, Arena *a,
                      DiagList *dl, const char **body, size_t *body_len, int *body_line);

/* Parses Markdown text (first line of text is file line first_line) into blocks.
 * Citations [@key] and [@a; @b] are resolved against doc->refs (numbered by
 * reference-list order, printed "[1]", "[1, 3]", linked to "#ref-N"); an unknown
 * key is a warning "unknown reference 'key'" and prints "[?]".  Footnotes found
 * are appended to doc->footnotes when footnotes != 0.  Returns 0 or -1. */
int markdown_parse(const char *path, const char *text, size_t len, int first_line,
                   Doc *doc, DocBlocks *out, int footnotes, Arena *a, DiagList *dl);

/* Parses one line of inline Markdown (a reference's text) into runs. */
int markdown_parse_inline(const char *path, const char *text, int line, int col, Doc *doc,
                          DocInlines *out, Arena *a, DiagList *dl);

#endif
