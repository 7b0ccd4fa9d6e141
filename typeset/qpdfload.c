/* qpdfload.c — see qpdfload.h. */
#define TS_QPDF_TABLE
#include "qpdfload.h"

#include <glib.h>

#include "dynload.h"

#ifndef TS_QPDF_SONAME
#define TS_QPDF_SONAME "libqpdf.so.29"
#endif

static TsQpdf ts_qpdf_table;

static gpointer ts_qpdf_load(gpointer unused)
{
    (void)unused;
    void *h = dynload_open(TS_QPDF_SONAME, "libqpdf29");
    /* (void **)&: the POSIX way to store a dlsym result in a function pointer */
#define TS_QPDF_LOAD(f) dynload_sym(h, TS_QPDF_SONAME, #f, (void **)&ts_qpdf_table.f);
    TS_QPDF_FUNCS(TS_QPDF_LOAD)
#undef TS_QPDF_LOAD
    return &ts_qpdf_table;
}

const TsQpdf *ts_qpdf(void)
{
    static GOnce once = G_ONCE_INIT;
    return g_once(&once, ts_qpdf_load, NULL);
}
