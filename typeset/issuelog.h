/* issuelog.h — what an issue build tells the person running it, on stderr.
 * On a terminal: the log lines scroll above a progress bar (articles measured
 * and set, pages so far, elapsed time); otherwise plain log lines only; with
 * quiet, nothing.  Jobs report from worker threads: every call takes the
 * log's lock.  Diagnostics are not logged here: the command prints them. */
#ifndef TS_ISSUELOG_H
#define TS_ISSUELOG_H

typedef struct IssueLog IssueLog;

/* tty: draw the bar (isatty(2)); n: articles in the issue. */
IssueLog *issuelog_new(int quiet, int tty, int n);
void issuelog_free(IssueLog *l);

/* A log line ("typeset: " is prepended); the bar, if any, is redrawn below. */
void issuelog_line(IssueLog *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Counts one article measured (phase 1) or set (phase 2, with its pages). */
void issuelog_measured(IssueLog *l);
void issuelog_set(IssueLog *l, int pages);
/* Starts a new round of phase 2 (the counts of set articles restart). */
void issuelog_reset_set(IssueLog *l);
/* Seconds since issuelog_new. */
double issuelog_elapsed(const IssueLog *l);
/* Removes the bar, before the summary is printed. */
void issuelog_finish(IssueLog *l);

#endif
