/* manifest.h — the issue manifest (issue.yaml): which articles make the issue,
 * in what order and sections, the metadata and its cover.  Read with
 * libyaml's event API (depth cap, no aliases, one document); every problem is a
 * positioned error.  Article and image paths are resolved against the
 * manifest's directory and checked before any work starts.  A Manifest owns
 * all its strings (one arena); free it with manifest_free. */
#ifndef TS_MANIFEST_H
#define TS_MANIFEST_H

#include "../layout/base.h"

#define MANIFEST_MAX_BYTES (1u << 20)
#define MANIFEST_MAX_DEPTH 64
#define MANIFEST_MAX_ARTICLES 10000

typedef struct ManifestSection {
    const char *title;
    int line, col;
} ManifestSection;

typedef struct ManifestArticle {
    const char *name;       /* as written in the manifest: "kireeva-2022.md" */
    const char *path;       /* resolved against the manifest's directory */
    const char *stem;       /* file name without directory and extension: output name */
    int section;            /* index into sections; -1 in a flat `articles:` list */
    int line, col;          /* the entry in the manifest (1-based) */
} ManifestArticle;

typedef struct Manifest {
    Arena arena;
    const char *path;       /* the manifest as named on the command line */
    const char *dir;        /* its directory */
    /* issue metadata: non-NULL values override each article's front matter */
    const char *journal, *issn, *volume, *number, *year;
    const char *lang;       /* language of the cover and contents pages: en, ru or zh
                               (a BCP 47 tag of one of them); "en" */
    const char *style;      /* name, or a path resolved against dir; NULL = default */
    int style_line, style_col;  /* where the manifest names it; 0 = it does not */
    int first_page;         /* folio of the first article's first page; 1 */
    int first_page_line, first_page_col;    /* where the manifest sets it; 0 = it does not */
    const char **cover_title;   /* lines printed on the cover */
    int n_cover_title;
    const char *cover_image;    /* resolved path, NULL if none */
    int cover_image_line, cover_image_col;
    ManifestSection *sections;  /* empty with a flat list */
    int n_sections;
    ManifestArticle *articles;  /* in issue order */
    int n_articles;
} Manifest;

/* Reads and validates the manifest at path: unknown keys, wrong types, a
 * language the cover and contents have no labels for, a missing or duplicate
 * article, an unreadable style or cover file, two articles with the same
 * output name are errors at their line:col (every missing file is reported,
 * not only the first).  A style given by name is not looked up here (that
 * needs the data directory: manifest_check_style).  Returns NULL after adding
 * errors. */
Manifest *manifest_load(const char *path, DiagList *dl);
void manifest_free(Manifest *m);

/* Checks that the style the manifest names by name, DATADIR/styles/NAME.yaml
 * (style.h), can be read, so that a misspelt name is an error at the
 * manifest's `style:` line rather than at line 1 of a file that does not
 * exist.  Returns 0, or -1 after adding the error. */
int manifest_check_style(const Manifest *m, const char *datadir, DiagList *dl);

#endif
