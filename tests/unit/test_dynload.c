/* test_dynload.c — libraries opened on first use (typeset/dynload.h): the
 * tables load, and a library or function that is not there ends the process
 * with one error line and status 1. */
#include "check.h"

/* the tables themselves, not the macros that route qpdf_* and rsvg_* calls */
#define TS_QPDF_TABLE
#define TS_RSVG_TABLE

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../typeset/dynload.h"
#include "../../typeset/qpdfload.h"
#include "../../typeset/rsvgload.h"

#ifdef TS_QPDF_SONAME
#define TS_TEST_QPDF TS_QPDF_SONAME
#else
#define TS_TEST_QPDF "libqpdf.so.29"
#endif

/* Runs fn in a child; returns its exit status (or -1) and its standard error in err. */
static int in_child(void (*fn)(void), char *err, size_t size)
{
    int p[2];
    if (pipe(p) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], 2);
        close(p[0]);
        fn();
        _exit(0);
    }
    close(p[1]);
    size_t n = 0;
    ssize_t r;
    while (n + 1 < size && (r = read(p[0], err + n, size - 1 - n)) > 0)
        n += (size_t)r;
    err[n] = 0;
    close(p[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void open_missing(void)
{
    dynload_open("libtypeset-no-such-library.so.9", "no-such-package");
}

static void sym_missing(void)
{
    void *h = dynload_open(TS_TEST_QPDF, "libqpdf29");
    void *fn;
    dynload_sym(h, TS_TEST_QPDF, "qpdf_no_such_function", &fn);
}

static int lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

int main(void)
{
    CHECK(ts_qpdf() && ts_qpdf()->qpdf_init && ts_qpdf() == ts_qpdf(), "libqpdf's table loads, once");
    qpdf_data q = ts_qpdf()->qpdf_init();
    CHECK(q != NULL, "and its functions run");
    ts_qpdf()->qpdf_cleanup(&q);
    CHECK(ts_rsvg() && ts_rsvg()->rsvg_handle_new_from_data, "librsvg's table loads");
    char err[1024];
    int st = in_child(open_missing, err, sizeof err);
    CHECK(st == 1 && lines(err) == 1 && strstr(err, "error: cannot load libtypeset-no-such-library.so.9") &&
              strstr(err, "no-such-package"),
          "a library that is not there: status %d, one line: %s", st, err);
    st = in_child(sym_missing, err, sizeof err);
    CHECK(st == 1 && lines(err) == 1 && strstr(err, "has no function qpdf_no_such_function"),
          "a function that is not there: status %d, one line: %s", st, err);
    return check_finish();
}
