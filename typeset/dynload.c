/* dynload.c — see dynload.h. */
#include "dynload.h"

#include <dlfcn.h>
#include <stdio.h>

#include "output.h"

void *dynload_open(const char *soname, const char *package)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(stderr, "typeset: error: cannot load %s (Debian package %s; `make deps` installs it): %s\n",
                soname, package, dlerror());
        output_fatal_exit();
    }
    return h;
}

void dynload_sym(void *lib, const char *soname, const char *name, void **fn)
{
    *fn = dlsym(lib, name);
    if (!*fn) {
        fprintf(stderr, "typeset: error: %s has no function %s\n", soname, name);
        output_fatal_exit();
    }
}
