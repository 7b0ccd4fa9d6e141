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

#endif
