/* fontload.h — the private font configuration.  Loads fonts/fonts.conf (which
 * names exactly the font files the styles use) into a fresh FcConfig, so output
 * never depends on the machine's other fonts, and wraps it in a Pango font map
 * for Cairo.  One FontLib per thread (Pango font maps are not thread-safe);
 * creating one costs ~20 ms with the fontconfig cache warm. */
#ifndef TS_FONTLOAD_H
#define TS_FONTLOAD_H

#include <pango/pango.h>
#include "../layout/base.h"
#include "paintfont.h"

typedef struct FontLib FontLib;

/* datadir holds fonts/fonts.conf.  The fontconfig cache goes to
 * $XDG_CACHE_HOME/typeset/fontconfig (or ~/.cache/typeset/fontconfig, or
 * /tmp/typeset-UID/fontconfig).
 * Returns NULL after adding an error (config missing or unreadable). */
FontLib *fontlib_new(const char *datadir, DiagList *dl);
void fontlib_free(FontLib *fl);
/* Drops fontconfig's reference to the configuration the first fontlib_new
 * made current.  Call once, as the process ends; no fontlib_new may follow,
 * and a fontconfig call that names no configuration would then load the
 * system's whole one (FcInit).  A FontLib still alive keeps the configuration
 * (its font map holds a reference). */
void fontlib_shutdown(void);
PangoFontMap *fontlib_fontmap(FontLib *fl);   /* owned by fl */
/* The PDF painter's Cairo fonts for this thread (paintfont.h), owned by fl. */
PaintFonts *fontlib_paint_fonts(FontLib *fl);

/* Path of the font file (and face index) Pango picks for text in family list
 * `families` ("PT Serif, Noto Serif CJK SC"), weight/style, and language;
 * used by `typeset fonts`.  Returns a heap string "PATH" or "PATH#index", or
 * NULL if nothing covers the sample text. */
char *fontlib_resolve(FontLib *fl, const char *families, int bold, int italic,
                      const char *lang, const char *sample);

/* Whether the configuration offers `family` (case-insensitive, exact name). */
int fontlib_has_family(FontLib *fl, const char *family);

/* What identifies the font files the configuration offers: one line per
 * file, in path order, with its size and modification time to the
 * nanosecond ("? " before a path that cannot be read).  A package update
 * replaces a font file, and changes its line; the text goes into a cache key
 * (the issue build's), which then no longer matches what the old fonts set.
 * A heap string. */
char *fontlib_files_identity(FontLib *fl);

#endif
