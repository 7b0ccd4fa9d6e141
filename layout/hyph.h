/* hyph.h — word hyphenation with libhyphen (Liang's TeX patterns, OpenOffice
 * .dic files).  Owns one loaded dictionary per Hyph; takes a lower- or mixed-case
 * UTF-8 word and hands back the byte offsets after which it may be broken.
 * hyph_load creates, hyph_free frees; nothing else is allocated for the caller.
 *
 * Thread safety: a Hyph is read-only after hyph_load, so one Hyph may be shared
 * by any number of threads calling hyph_word at once.  This rests on libhyphen
 * 2.8.8's hnj_hyphen_hyphenate3, which only reads the dictionary (its state
 * machine, minima and next level) and works in buffers it mallocs per call; it
 * has no static data.  Load and free must not race with hyph_word. */
#ifndef TS_HYPH_H
#define TS_HYPH_H

typedef struct Hyph Hyph;   /* one loaded dictionary, read-only after load */

/* Loads the dictionary for lang (BCP 47: "en", "en-US", "ru", "ru-RU"; case and
 * '-'/'_' do not matter; a script subtag is ignored) from dir (NULL =
 * /usr/share/hyphen).  Tries hyph_ll_RR.dic, then hyph_ll.dic, then the first
 * hyph_ll_*.dic in the directory ("en" finds hyph_en_US.dic).  Returns NULL
 * when there is no dictionary for the language (e.g. "zh") or it cannot be
 * read; that is not an error for the caller, the language is just not
 * hyphenated. */
Hyph *hyph_load(const char *dir, const char *lang);
/* Where dir NULL looks: /usr/share/hyphen. */
const char *hyph_default_dir(void);
void hyph_free(Hyph *h);                /* NULL is fine */

/* The same dictionary, loaded once per process and shared: every engine (one
 * per thread) that asks for (dir, lang) gets the one Hyph, counted; the last
 * hyph_release frees it.  Guarded by a lock, so engines on any threads may
 * take and release at once; the lock is not held while a dictionary loads, so
 * a thread wanting another language does not wait for it.  Loading a
 * dictionary costs 4-13 ms (the pattern step in hyph.c, then libhyphen's),
 * which an issue's second engine and a watch session's rebuilds then skip.
 * NULL as hyph_load. */
Hyph *hyph_acquire(const char *dir, const char *lang);
void hyph_release(Hyph *h);             /* NULL is fine */

/* word: len bytes of UTF-8, letters only (the caller splits words; no NUL
 * needed).  Clears pts[0..len) and sets pts[i] = 1 when a break is allowed after
 * byte i of word (always the last byte of a character).  left_min / right_min
 * are counted in characters (values < 1 count as 1); the dictionary's own
 * LEFTHYPHENMIN / RIGHTHYPHENMIN win when larger (en_US: 2 and 3).  Returns the
 * number of points.  Case-insensitive.  A word with a digit or any character
 * outside the dictionary's alphabet, invalid UTF-8, or longer than
 * HYPH_MAX_CHARS characters gets no points.  Russian: ё is hyphenated as е
 * (the hyphen-ru patterns have no ё).  h NULL: no points. */
#define HYPH_MAX_CHARS 128
int hyph_word(const Hyph *h, const char *word, int len, char *pts, int left_min, int right_min);

#endif
