/* compose.h — turns the document model and a journal style into the engine's
 * input: the first-page block (masthead, title, authors, abstract, keywords),
 * the body, footnotes, references, "About the author", "For citations" and the
 * licence line, every piece in the role the style gives it.  Templates in the
 * style ({journal}, {pages}, …) are filled from the metadata and the page range.
 * Everything is allocated in the caller's Arena. */
#ifndef TS_COMPOSE_H
#define TS_COMPOSE_H

#include "../layout/layout.h"
#include "model.h"
#include "style.h"

typedef struct ComposeOptions {
    int first_page;         /* folio of the article's first page */
    int last_page;          /* best known last page (for the page range) */
    const char *base_dir;   /* directory of the source, for images */
} ComposeOptions;

/* Fills *in.  Returns 0, or -1 after adding an error (e.g. a missing image). */
int compose_article(const Doc *doc, const Style *st, const ComposeOptions *o, LayInput *in,
                    Arena *a, DiagList *dl);

/* Expands a style template: {field} from the metadata; a part in [brackets] is
 * dropped when a field inside it is empty.  Returns an arena string. */
char *compose_template(const char *tpl, const Doc *doc, const ComposeOptions *o, Arena *a);

/* "Anna A. Kireeva" -> "Kireeva A.A." (citation form); CJK names unchanged. */
char *compose_name_cite(const char *name, Arena *a);
/* "Anna A. Kireeva" -> "A. A. Kireeva" */
char *compose_name_initials(const char *name, Arena *a);

/* The font of a style role with inline flags (DOC_ITALIC, DOC_BOLD, DOC_CODE,
 * DOC_SUPER, DOC_SUB) applied; the family string is allocated in a. */
LayFont compose_role_font(const Style *st, StyleRoleId r, unsigned flags, Arena *a);

#endif
