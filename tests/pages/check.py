#!/usr/bin/env python3
"""Checks the page builder's output for one article.
  check.py widows REPORT.json     no paragraph leaves one line alone at a page
                                  foot (orphan) or top (widow)
  check.py headings PDF           every "Heading N" has two lines of text after
                                  it on its page
  check.py notes PDF              every note mark "…word.N" and "Note N." share a page
Prints what is wrong and exits 1."""
import json
import re
import subprocess
import sys
from collections import defaultdict


def pages(pdf):
    n = int(re.search(r'Pages:\s+(\d+)', subprocess.run(['pdfinfo', pdf], capture_output=True, text=True).stdout).group(1))
    for p in range(1, n + 1):
        t = subprocess.run(['pdftotext', '-f', str(p), '-l', str(p), '-layout', pdf, '-'],
                           capture_output=True, text=True).stdout
        yield p, [ln.strip() for ln in t.splitlines() if ln.strip()]


def widows(report):
    d = json.load(open(report))
    bad = []
    for par in d['paragraphs']:
        per = defaultdict(int)
        for ln in par['lines']:
            per[ln['page']] += 1
        if len(per) > 1:
            counts = [per[p] for p in sorted(per)]
            if counts[0] < 2 or counts[-1] < 2:
                bad.append('paragraph at line %d split %s over pages %s' % (par['source_line'], counts, sorted(per)))
    return bad


def headings(pdf):
    bad = []
    for p, lines in pages(pdf):
        body = lines[:-1]           # the folio is the last line
        for i, ln in enumerate(body):
            if re.fullmatch(r'Heading \d+', ln) and len(body) - i - 1 < 2:
                bad.append('page %d: "%s" has %d lines after it' % (p, ln, len(body) - i - 1))
    return bad


def notes(pdf):
    bad = []
    marks, texts = {}, {}
    for p, lines in pages(pdf):
        for ln in lines:
            m = re.match(r'(\d+)\s+Note (\d+)\.', ln)
            if m:
                texts[int(m.group(2))] = p
            for m in re.finditer(r'[a-z]\.(\d+)\b', ln):
                marks.setdefault(int(m.group(1)), p)
    for k, p in sorted(marks.items()):
        if texts.get(k) is None:
            bad.append('note %d (marked on page %d) not found' % (k, p))
        elif texts[k] != p:
            bad.append('note %d marked on page %d, set on page %d' % (k, p, texts[k]))
    if not marks:
        bad.append('no note marks found')
    return bad


what, arg = sys.argv[1], sys.argv[2]
problems = {'widows': widows, 'headings': headings, 'notes': notes}[what](arg)
for pr in problems:
    print(pr)
sys.exit(1 if problems else 0)
