/* pdfcat-private.h — private to pdfcat.c (the merge) and pdfcatread.c (the
 * reading of one part): what reading a part hands the merge.  Every span
 * points into the part's bytes. */
#ifndef TS_PDFCAT_PRIVATE_H
#define TS_PDFCAT_PRIVATE_H

#include <glib.h>

#include "pdfcat.h"
#include "pdfscan.h"

/* Pages of one part, nodes of one tree, outline items: at most. */
#define PC_MAX_PAGES 100000
#define PC_MAX_TREE_NODES 1000000
#define PC_MAX_OUTLINE 100000
/* Depth of page, name, number and outline trees, at most. */
#define PC_MAX_DEPTH 64

/* What the merge does with an object of a part. */
enum {
    PC_COPY = 0,        /* copied, its references renumbered */
    PC_PAGE,            /* a page: rewritten */
    PC_ANNOT,           /* an annotation of a page: rewritten */
    PC_TOP,             /* a child of the structure tree root: rewritten */
    PC_DROP,            /* not copied: references to it become null ... */
    PC_CATALOG,         /* ... or to the result's catalog, */
    PC_PAGES,           /* page tree root */
    PC_STROOT,          /* and structure tree root */
};

/* The result's own objects, numbered first. */
enum { PC_N_CATALOG = 1, PC_N_PAGES, PC_N_STROOT, PC_N_INFO, PC_N_FIRST };

typedef struct PcSpan {
    const char *v0, *v1;        /* v0 NULL: none */
} PcSpan;

/* The page attributes a page may inherit from its /Pages ancestors. */
extern const char *const pc_inheritable[];
#define PC_N_INH 4

typedef struct PcPage {
    long long num;
    PcSpan inh[PC_N_INH];       /* inherited values the page itself lacks */
    double mb[4];               /* its MediaBox, normalised */
} PcPage;

typedef struct PcNum {
    long long key;
    PcSpan v;
} PcNum;

typedef struct PcName {
    char *name;                 /* decoded bytes */
    size_t len;
    PcSpan v;
} PcName;

typedef struct PcItem {
    int level;                  /* 0 = top of this document's outline */
    PcSpan title;               /* a string object */
    char *dest;                 /* a destination name (decoded), or NULL ... */
    size_t dest_len;
    PcSpan dest_arr;            /* ... an explicit destination */
} PcItem;

/* An object the merge copies: its value and stream data (s0 NULL: none),
 * and for a PC_COPY object its references, found when the part is read
 * (refs[ref0 .. ref0 + nref)): the merge, one part at a time, then copies
 * the text between them as it is. */
typedef struct PcObj {
    const char *v0, *v1, *s0;
    size_t slen;
    guint ref0, nref;
} PcObj;

/* A reference in an object's value: at bytes [at, at + len) from v0, to num. */
typedef struct PcRef {
    guint32 at, len;
    long long num;
} PcRef;

struct PdfCatPart {
    PsDoc d;
    unsigned char *kind;        /* by object number */
    PcObj *obj;                 /* by object number: where each copied object lies */
    GArray *pages;              /* PcPage, in order */
    GArray *nums;               /* PcNum: the parent tree */
    GArray *names;              /* PcName: /Dests */
    GArray *outline;            /* PcItem, in order */
    GArray *labels;             /* PcNum: /PageLabels */
    GArray *top;                /* long long: the structure root's kids */
    GArray *refs;               /* PcRef, by object (PcObj.ref0) */
    PcSpan lang, info, pagemode;
    char *lang_text;            /* the catalog's /Lang, decoded (NULL: none or empty); only
                                   whether it is there counts: lang is what is copied */
    long long max_key;          /* largest parent-tree key, -1 = none */
    long long max_used;         /* largest key a page or annotation uses, -1 = none */
    int tree_nodes;
};

/* An empty part, its arrays made (pdfcat_part_free frees it). */
PdfCatPart *pdfcat_part_new(void);

/* The first reference in [p, e), skipping strings, names, comments and
 * numbers as the merge copies them: where it starts, with *end past it and
 * *num its object number; e when there is none. */
const char *pc_find_ref(const char *p, const char *e, const char **end, long long *num);

/* A destination at [v, ve) (a name, a string, or an array) into it: a name
 * or string decoded into it->dest (g_free), an array as it->dest_arr.  0, or
 * -1 when it is none of these. */
int pc_dest(const char *v, const char *ve, PcItem *it);

#endif
