/* rsvgload.h — librsvg, opened the first time an SVG figure needs it
 * (dynload.h).  Include this instead of <librsvg/rsvg.h>: the rsvg_* calls
 * below then go through the table unchanged.  An rsvg function not listed
 * here does not link: add it to TS_RSVG_FUNCS. */
#ifndef TS_RSVGLOAD_H
#define TS_RSVGLOAD_H

#include <librsvg/rsvg.h>

#define TS_RSVG_FUNCS(X) \
    X(rsvg_handle_new_from_data) \
    X(rsvg_handle_get_intrinsic_size_in_pixels) \
    X(rsvg_handle_get_intrinsic_dimensions) \
    X(rsvg_handle_render_document)

typedef struct TsRsvg {
#define TS_RSVG_MEMBER(f) __typeof__(f) *f;
    TS_RSVG_FUNCS(TS_RSVG_MEMBER)
#undef TS_RSVG_MEMBER
} TsRsvg;

/* The table, loaded on first use (thread-safe; see dynload_open for a
 * library that cannot be loaded). */
const TsRsvg *ts_rsvg(void);

#ifndef TS_RSVG_TABLE
#define rsvg_handle_new_from_data (ts_rsvg()->rsvg_handle_new_from_data)
#define rsvg_handle_get_intrinsic_size_in_pixels (ts_rsvg()->rsvg_handle_get_intrinsic_size_in_pixels)
#define rsvg_handle_get_intrinsic_dimensions (ts_rsvg()->rsvg_handle_get_intrinsic_dimensions)
#define rsvg_handle_render_document (ts_rsvg()->rsvg_handle_render_document)
#endif

#endif
