/* commands.h — commands that parse their own options (preview, watch, issue).
 * Each takes argc/argv starting at the command name and the data directory, and
 * returns the exit status (0 success, 1 bad input, 2 usage).  main.c lists
 * them in its commands[] table. */
#ifndef TS_COMMANDS_H
#define TS_COMMANDS_H

#include "../layout/base.h"

/* Shared by the commands: print every diagnostic as FILE:LINE:COL: … */
void print_diags(const DiagList *dl);
/* SOURCE_DATE_EPOCH as seconds, or -1 when unset or malformed. */
long long source_date_epoch(void);

/* typeset preview: pages as PNG through the PDF's layout (preview.c). */
int cmd_preview(int argc, char **argv, const char *datadir);
/* typeset watch: rebuild on every change of the source, images or style (watch.c). */
int cmd_watch(int argc, char **argv, const char *datadir);
/* typeset issue: a journal issue from a manifest, in parallel, with a cache (issue.c). */
int cmd_issue(int argc, char **argv, const char *datadir);

#endif
