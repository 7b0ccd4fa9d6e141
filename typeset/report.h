/* report.h — the line report (`typeset build --report FILE.json`): for each
 * paragraph, each set line's adjustment ratio, badness, whether it ends
 * hyphenated, and overfull/underfull lines with their source line.  Reads a
 * LayResult; writes JSON atomically. */
#ifndef TS_REPORT_H
#define TS_REPORT_H

#include "../layout/layout.h"

/* tolerance: badness above which a justified line counts as underfull. */
int report_write(const LayResult *r, int tolerance, const char *source, const char *path,
                 DiagList *dl);

#endif
