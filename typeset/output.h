/* output.h — writing result files: atomic replacement (temp file + fsync +
 * rename), mkdir -p, and the default output name.  Takes bytes from the
 * renderers, hands nothing on; errors go to the caller's DiagList.
 *
 * Global state, and why: a signal handler gets no context argument, so the
 * list of temporary files that SIGINT/SIGTERM/SIGHUP must delete is the one
 * process-wide table in the program (a fixed array of lock-free atomic slots in
 * output.c, no malloc, no locks: async-signal-safe, and safe while several
 * threads write different files). */
#ifndef TS_OUTPUT_H
#define TS_OUTPUT_H

#include <stddef.h>

#include "../layout/base.h"

/* Writes data[0..len) to path atomically: a temporary file path.XXXXXX in the
 * same directory (mkstemp; mode 0644 minus the umask), fsync, rename over path,
 * fsync of the directory.  An existing file is only ever replaced by a complete
 * new one; on failure the temporary file is removed and path is untouched.
 * Renaming replaces a symlink at path, not its target.  Thread-safe for
 * different paths.  Returns 0, or -1 after adding the error
 * "cannot write 'path': <strerror>" at path:1:1. */
int output_write_atomic(const char *path, const void *data, size_t len, DiagList *dl);

/* output_write_atomic without either fsync, for cache records: a reader
 * rejects a record cut short or emptied by a crash (a miss), so they need
 * the rename's atomicity but not durability, which costs two disk flushes
 * per record. */
int output_write_cache(const char *path, const void *data, size_t len, DiagList *dl);

/* output_write_atomic in parts, for a file written as it is made: a
 * temporary file beside path (NULL after adding the error to dl), bytes
 * appended (early: the disk is given them now, so that the commit's fsync
 * waits for the last ones only; a write's error is kept for the commit),
 * then the fsync and the rename (0, or -1 after adding the error; the
 * temporary file is removed), or the temporary file removed (abort; NULL:
 * nothing).  Commit and abort free f.  One thread at a time per file. */
typedef struct OutputFile OutputFile;
OutputFile *output_file_open(const char *path, DiagList *dl);
/* The same, but the file has no name until the commit (O_TMPFILE, where the
 * file system has it): a process killed, or crashing, while it is written
 * leaves nothing behind, where a named temporary file would stay.  For a file
 * written over a long time (issue.pdf, all through its merge). */
OutputFile *output_file_open_unnamed(const char *path, DiagList *dl);
void output_file_append(OutputFile *f, const void *data, size_t len, int early);
int output_file_commit(OutputFile *f, DiagList *dl);
void output_file_abort(OutputFile *f);

/* Whether writing out_path would replace the file at src (`-o ARTICLE.md`,
 * `--report ARTICLE.md`, or another spelling of its path): the rename would
 * put the output in place of the only copy of the text.  lstat on the output:
 * a symlink there is replaced, not followed, so it is no danger.  src NULL: 0. */
int output_is_file(const char *out_path, const char *src);

/* Installs SIGINT/SIGTERM/SIGHUP handlers that unlink every temporary file
 * output_write_atomic has open and then re-raise the signal with the default
 * action.  A signal that is ignored at the time of the call (nohup) stays
 * ignored.  Call once from main, before starting threads. */
void output_install_signal_cleanup(void);

/* For an error no caller can recover from, on any thread: unlinks every
 * temporary file output_write_atomic has open, as the signal handlers do,
 * and ends the process with status 1.  Say why on standard error first. */
_Noreturn void output_fatal_exit(void);

/* mkdir -p: creates dir and its missing parents (mode 0777 minus the umask).
 * An existing directory is fine; NULL or "" does nothing.  Returns 0, or -1
 * after adding "cannot create directory 'X': <strerror>" at dir:1:1. */
int output_mkdirs(const char *dir, DiagList *dl);

/* The source path with its extension replaced by ext ("pdf" or ".pdf"):
 * "a/b.md" -> "a/b.pdf", "a/b" -> "a/b.pdf", "a.d/.md" -> "a.d/.md.pdf" (a
 * leading dot does not start an extension).  malloc'd; the caller frees. */
char *output_default_path(const char *src, const char *ext);

#endif
