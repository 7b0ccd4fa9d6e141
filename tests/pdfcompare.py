#!/usr/bin/env python3
"""Compares two PDFs of the same layout painted two ways (typeset's own PDF
writer and Cairo's): the same number of pages, the same extracted words, the
same structure (element types, links, destinations, outline titles) and the
same look.  Each page of both is rasterised in grey at 40 dpi with pdftoppm;
a pixel differs when its grey levels are more than 96 apart, and a page may
have at most LIMIT (0.3 %) of its pixels differ.  Exit 0 when they agree,
else 1 with one line per disagreement.

usage: pdfcompare.py OURS.pdf CAIRO.pdf WORKDIR"""
import collections
import os
import re
import subprocess
import sys

LIMIT = 0.003

ours, theirs, work = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(work, exist_ok=True)
problems = []


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True).stdout


def pages(pdf):
    m = re.search(rb'Pages:\s+(\d+)', run('pdfinfo', pdf))
    return int(m.group(1))


def text(pdf):
    return run('pdftotext', '-enc', 'UTF-8', pdf, '-').decode('utf-8')


def qdf(pdf):
    return run('qpdf', '--qdf', '--object-streams=disable', pdf, '-').decode('latin-1')


def structure(pdf):
    q = qdf(pdf)
    elems = collections.Counter(m.group(1) for m in re.finditer(r'/S /(\w+)\s+/Type /StructElem', q))
    links = len(re.findall(r'/Subtype /Link', q))
    uris = sorted(re.findall(r'/URI \((.*?)\)\s', q))
    return elems, links, uris


def outline(pdf):
    j = run('qpdf', '--json', '--json-key=outlines', pdf).decode('utf-8')
    return re.findall(r'"title": "(.*?)"', j)


def pgm(path):
    with open(path, 'rb') as f:
        data = f.read()
    m = re.match(rb'P5\s+(\d+)\s+(\d+)\s+(\d+)\s', data)
    w, h = int(m.group(1)), int(m.group(2))
    return w, h, data[m.end():]


n = pages(ours)
if n != pages(theirs):
    problems.append(f'pages: {n} against {pages(theirs)}')
# the same words: pdftotext's reading order hangs on hundredths of a point
# (where a superscript sits against the next line), which the two round
# differently, so words are compared as a multiset
wa, wb = collections.Counter(text(ours).split()), collections.Counter(text(theirs).split())
if wa != wb:
    problems.append(f'words differ: only ours {list((wa - wb).items())[:5]}, '
                    f'only Cairo\'s {list((wb - wa).items())[:5]}')
so, st = structure(ours), structure(theirs)
# Cairo wraps all of a document in one Document element as we do; its
# element counts must match ours type by type
if so[0] != st[0]:
    problems.append(f'structure elements: {dict(so[0])} against {dict(st[0])}')
if so[1] != st[1]:
    problems.append(f'link annotations: {so[1]} against {st[1]}')
if so[2] != st[2]:
    problems.append('URIs differ')
if outline(ours) != outline(theirs):
    problems.append('outline titles differ')
for tag, pdf in (('a', ours), ('b', theirs)):
    run('pdftoppm', '-r', '40', '-gray', pdf, os.path.join(work, tag))
for p in range(1, n + 1):
    names = [f for f in sorted(os.listdir(work)) if re.match(rf'a-0*{p}\.pgm$', f)]
    if not names:
        continue
    wa, ha, da = pgm(os.path.join(work, names[0]))
    wb, hb, db = pgm(os.path.join(work, 'b' + names[0][1:]))
    if (wa, ha) != (wb, hb):
        problems.append(f'page {p}: size {wa}x{ha} against {wb}x{hb}')
        continue
    bad = sum(1 for x, y in zip(da, db) if abs(x - y) > 96)
    if bad > LIMIT * wa * ha:
        problems.append(f'page {p}: {bad} of {wa * ha} pixels differ')
for line in problems:
    print(line)
sys.exit(1 if problems else 0)
