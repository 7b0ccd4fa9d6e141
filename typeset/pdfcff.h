/* pdfcff.h — what the PDF font writer (pdffont.h) reads from a CFF font
 * program (Adobe Technical Note #5176): whether it is CID-keyed, and the
 * CID of each glyph from its charset.  Reads the bytes it is given, bounds
 * checked; allocates nothing. */
#ifndef TS_PDFCFF_H
#define TS_PDFCFF_H

#include <stddef.h>
#include <stdint.h>

/* 1 when the CFF b[0..len) is CID-keyed (its Top DICT has ROS), 0 when it
 * is name-keyed, -1 when its header, Name INDEX or Top DICT is malformed. */
int pdfcff_cid_keyed(const uint8_t *b, size_t len);

/* The CID of each of the n glyphs of the CID-keyed CFF b[0..len) into
 * cid[0..n), from its charset (formats 0, 1 and 2; glyph 0, .notdef, is CID
 * 0).  0, or -1 when the CFF is not CID-keyed, has other than n glyphs
 * (CharStrings count) or is malformed. */
int pdfcff_cids(const uint8_t *b, size_t len, unsigned n, uint16_t *cid);

#endif
