#!/usr/bin/env python3
"""ties.py PDF [-v]: counts line breaks that split a typographic tie (an
initial from its name, an abbreviation from what follows, a sign or a number
from its unit, a one-letter Russian word left at a line's end), reading the
lines with tests/pdflines.py.  Prints the count (and each case with -v)."""
import os, re, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
lines = subprocess.run([sys.executable, os.path.join(here, 'pdflines.py'), sys.argv[1]],
                       capture_output=True, text=True, check=True).stdout.split('\n')
bad = 0
for a, b in zip(lines, lines[1:]):
    a, b = a.rstrip(), b.lstrip()
    if not a or not b or re.fullmatch(r'\d+', a):     # a folio is no text line
        continue
    last, first = a.split(' ')[-1], b.split(' ')[0]
    why = None
    if re.fullmatch(r'(\w\.)+', last):
        why = 'initial or abbreviation at the end'
    elif re.fullmatch(r'[вксиоуая]', last, re.I):
        why = 'one-letter word at the end'
    elif last in ('№', '§') or (re.fullmatch(r'\w{1,4}\.', last) and first[:1].isdigit()):
        why = 'sign or abbreviation before its number'
    elif re.fullmatch(r'\d+', last) and re.fullmatch(r'[а-яё]{1,4}\.?[,.;:]?', first):
        why = 'number and unit'
    elif re.fullmatch(r'[А-ЯA-Z]\.', first) and not re.fullmatch(r'\w{3,}\.', last):
        why = 'initial at the start'    # (after a sentence's end: maybe a new paragraph)
    elif first.startswith('%'):
        why = '% at the start'
    if why:
        bad += 1
        if '-v' in sys.argv:
            print(why, '|', a[-30:], '||', b[:30])
print(bad)
