/* issuemerge.h — OUTDIR/issue.pdf: every article's PDF appended in issue
 * order (pdfmerge.h), in steps, and the cover and contents, laid out and
 * painted once every folio is known, appended last with their pages first.
 * The threads take a step between articles whenever the next article is
 * written (so the merge runs beside the setting of later ones, from the
 * first article on when phase 1 streams, issuebuild.c), and one of them
 * makes the front while another takes steps.  Each step writes what it
 * added to issue.pdf's temporary file (under the merge's lock); the driver
 * takes whatever steps are left, and writes the trees and the trailer.
 * Private to the issue command (issuebuild.h). */
#ifndef TS_ISSUEMERGE_H
#define TS_ISSUEMERGE_H

#include "issuebuild.h"

typedef struct IssueMerge IssueMerge;

/* Once the first article's source is read (its metadata carries the
 * manifest's: the issue's title).  An article's step reads its `first`,
 * which its job sets before it marks it `ready`. */
IssueMerge *issuemerge_new(Issue *is);

/* Every item's `first` is set: the front may be made. */
void issuemerge_numbered(IssueMerge *im);

/* Takes the next step if it is ready (article k once its job, in phase 1
 * or 2, marked it `ready`; after the last article, the front once made)
 * and no other thread is in one; else makes the front if it is to be made
 * and no other thread makes it: *c is the caller's context (taken,
 * issuebuild_take_context, when the front must be laid out and *c is
 * NULL).  Returns 1 when a step was taken or the front made. */
int issuemerge_step(IssueMerge *im, TsContext **c);

/* Whether the front is made: the steps left need no context. */
int issuemerge_front_done(IssueMerge *im);

/* Forgets the steps taken, and removes issue.pdf's temporary file: the
 * numbering changed under them, or no issue.pdf is to be written. */
void issuemerge_restart(IssueMerge *im);

/* The remaining steps in this thread, then the file.  Driver only, no job
 * running.  Returns the page count of issue.pdf, or -1 (errors in is->dl). */
int issuemerge_finish(IssueMerge *im, TsContext *c);

void issuemerge_free(IssueMerge *im);

#endif
