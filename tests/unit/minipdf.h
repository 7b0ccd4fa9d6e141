/* minipdf.h — unit tests' PDFs written by hand, for the readers of Cairo's
 * shape (typeset/pdfscan.c and what builds on it). */
#ifndef TS_MINIPDF_H
#define TS_MINIPDF_H
#include <glib.h>

/* objs[i] is the value (and stream) of object i + 1 (NULL-ended), with a
 * classic xref table; trailer_extra goes into the trailer after /Size and
 * /Root 1 0 R.  When upd, an incremental update follows that replaces
 * object 1 by upd (a second xref section, trailer /Prev).  *len set; g_free. */
static unsigned char *mini_pdf(const char *const *objs, const char *trailer_extra,
                               const char *upd, size_t *len)
{
    GString *g = g_string_new("%PDF-1.5\n");
    GArray *at = g_array_new(FALSE, FALSE, sizeof(size_t));
    int n = 0;
    for (; objs[n]; n++) {
        g_array_append_val(at, g->len);
        g_string_append_printf(g, "%d 0 obj\n%s\nendobj\n", n + 1, objs[n]);
    }
    size_t xref = g->len;
    g_string_append_printf(g, "xref\n0 %d\n0000000000 65535 f \n", n + 1);
    for (int i = 0; i < n; i++)
        g_string_append_printf(g, "%010zu 00000 n \n", g_array_index(at, size_t, i));
    g_string_append_printf(g, "trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%zu\n%%%%EOF\n",
                           n + 1, trailer_extra ? trailer_extra : "", xref);
    if (upd) {
        size_t o = g->len;
        g_string_append_printf(g, "1 0 obj\n%s\nendobj\n", upd);
        size_t x2 = g->len;
        g_string_append_printf(g, "xref\n1 1\n%010zu 00000 n \ntrailer\n<< /Size %d /Root 1 0 R "
                               "/Prev %zu >>\nstartxref\n%zu\n%%%%EOF\n", o, n + 1, xref, x2);
    }
    g_array_free(at, TRUE);
    *len = g->len;
    return (unsigned char *)g_string_free(g, FALSE);
}

#endif
