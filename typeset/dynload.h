/* dynload.h — libraries opened the first time they are needed.
 *
 * libqpdf (with libstdc++ and the GnuTLS stack it pulls in) and librsvg
 * (with libxml2, ICU, gdk-pixbuf and GIO) serve rare paths: the qpdf
 * fallbacks for PDFs not in Cairo's own shape, and SVG figures.  Linked, they
 * cost 12 of the 16 ms every start takes, on every `typeset build` and on the
 * critical path of every issue rebuild.  So each is opened with dlopen by
 * its first call and reached through a table of its functions (qpdfload.h,
 * rsvgload.h); a process that never needs one never loads it.
 *
 * The SONAMEs are those of the libraries the headers came with: the Makefile
 * reads them with objdump (TS_QPDF_SONAME, TS_RSVG_SONAME). */
#ifndef TS_DYNLOAD_H
#define TS_DYNLOAD_H

/* dlopen(soname), or a message naming the Debian package and the end of the
 * process (output_fatal_exit: a broken installation, which `make deps`
 * repairs).  Thread-safe, as dlopen is. */
void *dynload_open(const char *soname, const char *package);

/* Stores the address of function name of lib in *fn, or ends the process as
 * dynload_open does. */
void dynload_sym(void *lib, const char *soname, const char *name, void **fn);

#endif
