/* issuemerge.h — OUTDIR/issue.pdf: the cover and contents laid out and
 * painted, then every article's PDF appended in issue order (pdfmerge.h), in
 * steps.  The threads take a step between articles whenever the next article
 * is written (so the merge runs beside the setting of later ones): from the
 * end of phase 1, once every folio is known (issuebuild.c, stream_merge), or
 * in phase 2.  Each step writes what it added to issue.pdf's temporary file
 * (under the merge's lock); the driver takes whatever steps are left, and
 * writes the trees and the trailer.  Private to the issue command
 * (issuebuild.h). */
#ifndef TS_ISSUEMERGE_H
#define TS_ISSUEMERGE_H

#include "issuebuild.h"

typedef struct IssueMerge IssueMerge;

/* After the pages are numbered (every item's `first` is set). */
IssueMerge *issuemerge_new(Issue *is);

/* Takes the next step if it is ready (the front first, then article k once
 * its job, in phase 1 or 2, marked it `ready`) and no other thread is in
 * one; *c is the caller's context, used for the front (taken,
 * issuebuild_take_context, when the front must be laid out and *c is NULL).
 * Returns 1 when a step was taken. */
int issuemerge_step(IssueMerge *im, TsContext **c);

/* Whether the front's step is taken: the steps left need no context. */
int issuemerge_front_done(IssueMerge *im);

/* Forgets the steps taken, and removes issue.pdf's temporary file: the
 * numbering changed under them, or no issue.pdf is to be written. */
void issuemerge_restart(IssueMerge *im);

/* The remaining steps in this thread, then the file.  Driver only, no job
 * running.  Returns the page count of issue.pdf, or -1 (errors in is->dl). */
int issuemerge_finish(IssueMerge *im, TsContext *c);

void issuemerge_free(IssueMerge *im);

#endif
