/* runcmd.h — the unit tests' way to ask a tool (pdftotext, pdffonts,
 * pdftoppm, qpdf, gs) about a file they wrote. */
#ifndef TS_TEST_RUNCMD_H
#define TS_TEST_RUNCMD_H

#include <glib.h>

/* Runs cmd (a shell command): its wait status (0: it ran and succeeded; -1:
 * it could not be run), its standard output in *out (g_free it) whether or
 * not it succeeded: what a failing check says is worth printing. */
static inline int run_status(const char *cmd, char **out)
{
    int status = -1;
    *out = NULL;
    if (!g_spawn_command_line_sync(cmd, out, NULL, &status, NULL))
        status = -1;
    return status;
}

/* Runs cmd (a shell command) and returns its standard output (g_free it),
 * or NULL when it cannot be run or fails. */
static inline char *run(const char *cmd)
{
    char *out = NULL;
    if (run_status(cmd, &out) != 0) {
        g_free(out);
        return NULL;
    }
    return out;
}

#endif
