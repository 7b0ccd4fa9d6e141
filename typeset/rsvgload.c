/* rsvgload.c — see rsvgload.h. */
#define TS_RSVG_TABLE
#include "rsvgload.h"

#include "dynload.h"

#ifndef TS_RSVG_SONAME
#define TS_RSVG_SONAME "librsvg-2.so.2"
#endif

static TsRsvg ts_rsvg_table;

static gpointer ts_rsvg_load(gpointer unused)
{
    (void)unused;
    void *h = dynload_open(TS_RSVG_SONAME, "librsvg2-2");
    /* (void **)&: the POSIX way to store a dlsym result in a function pointer */
#define TS_RSVG_LOAD(f) dynload_sym(h, TS_RSVG_SONAME, #f, (void **)&ts_rsvg_table.f);
    TS_RSVG_FUNCS(TS_RSVG_LOAD)
#undef TS_RSVG_LOAD
    return &ts_rsvg_table;
}

const TsRsvg *ts_rsvg(void)
{
    static GOnce once = G_ONCE_INIT;
    return g_once(&once, ts_rsvg_load, NULL);
}
