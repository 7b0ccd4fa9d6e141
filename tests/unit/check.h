/* check.h — the unit-test harness: each CHECK prints "ok" or "FAIL" with its
 * position; main returns check_finish().  tests/run.sh counts the lines. */
#ifndef TS_CHECK_H
#define TS_CHECK_H
#include <stdio.h>
#include <string.h>

static int check_pass_, check_fail_;
#define CHECK(cond, ...) do { \
        if (cond) { check_pass_++; printf("ok   %s:%d: ", __FILE__, __LINE__); } \
        else { check_fail_++; printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); } \
        printf(__VA_ARGS__); printf("\n"); \
    } while (0)
#define CHECK_STR(a, b, ...) CHECK(strcmp((a) ? (a) : "(null)", (b)) == 0, __VA_ARGS__)
static inline int check_finish(void)
{
    printf("%d passed, %d failed\n", check_pass_, check_fail_);
    return check_fail_ ? 1 : 0;
}
#endif
