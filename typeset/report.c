/* report.c — see report.h.  The JSON is written by hand: flat, numeric, and
 * the only strings are the source path (escaped). */
#include "report.h"

#include <glib.h>
#include <math.h>

#include "output.h"

static void json_string(GString *g, const char *s)
{
    g_string_append_c(g, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_printf(g, "\\%c", *p);
        else if (*p < 0x20)
            g_string_append_printf(g, "\\u%04x", *p);
        else
            g_string_append_c(g, (char)*p);
    }
    g_string_append_c(g, '"');
}

/* TeX's badness of a line with adjustment ratio r (tex.web §108: 100 r^3). */
static int badness(double r)
{
    if (r < -1.0)
        return 1000000;     /* overfull */
    double b = 100.0 * fabs(r * r * r);
    return b > 10000 ? 10000 : (int)b;
}

int report_write(const LayResult *r, int tolerance, const char *source, const char *path,
                 DiagList *dl)
{
    if (output_is_file(path, source)) {
        diag_add(dl, DIAG_ERROR, path, 1, 1,
                 "report '%s' is the article's source file: not overwriting it", path);
        return -1;
    }
    GString *g = g_string_new("{\n  \"source\": ");
    json_string(g, source);
    int overfull = 0, underfull = 0, hyph = 0, paras = 0;
    g_string_append_printf(g, ",\n  \"pages\": %d,\n  \"paragraphs\": [", r->n_pages);
    int cur = -2;
    for (int i = 0; i < r->n_lines; i++) {
        const LayLine *l = &r->lines[i];
        if (l->para != cur) {
            if (cur != -2)
                g_string_append(g, "\n    ]},");
            cur = l->para;
            paras++;
            g_string_append_printf(g, "\n    {\"paragraph\": %d, \"source_line\": %d, \"lines\": [",
                                   l->para, l->src_line);
        } else {
            g_string_append_c(g, ',');
        }
        int bad = l->justified && !l->last ? badness(l->ratio) : 0;
        int is_under = l->justified && !l->last && l->ratio > 0 && bad > tolerance;
        int is_over = l->overfull > 0.1;
        overfull += is_over;
        underfull += is_under;
        hyph += l->hyphenated;
        g_string_append_printf(g,
                               "\n      {\"page\": %d, \"source_line\": %d, \"ratio\": %.4f, "
                               "\"badness\": %d, \"hyphenated\": %s, \"justified\": %s, "
                               "\"overfull_pt\": %.2f, \"underfull\": %s}",
                               l->page + 1, l->src_line, l->ratio, bad,
                               l->hyphenated ? "true" : "false", l->justified ? "true" : "false",
                               is_over ? l->overfull : 0.0, is_under ? "true" : "false");
    }
    if (cur != -2)
        g_string_append(g, "\n    ]}");
    g_string_append_printf(g,
                           "\n  ],\n  \"summary\": {\"paragraphs\": %d, \"lines\": %d, "
                           "\"hyphenated\": %d, \"overfull\": %d, \"underfull\": %d}\n}\n",
                           paras, r->n_lines, hyph, overfull, underfull);
    int rc = output_write_atomic(path, g->str, g->len, dl);
    g_string_free(g, TRUE);
    return rc;
}
