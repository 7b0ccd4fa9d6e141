/* runcmd.h — the unit tests' way to ask a tool (pdftotext, pdffonts,
 * pdftoppm, qpdf, gs) about a file they wrote. */
#ifndef TS_TEST_RUNCMD_H
#define TS_TEST_RUNCMD_H

#include <glib.h>

/* Runs cmd (a shell command) and returns its standard output (g_free it),
 * or NULL when it cannot be run or fails. */
static inline char *run(const char *cmd)
{
    char *out = NULL;
    int status = 0;
    if (!g_spawn_command_line_sync(cmd, &out, NULL, &status, NULL) || status != 0) {
        g_free(out);
        return NULL;
    }
    return out;
}

#endif
