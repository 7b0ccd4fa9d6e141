#!/usr/bin/env python3
"""Checks that everything a tagged PDF draws is marked: on every page, each
text object (BT), image (Do) and stroke (S) lies inside a marked-content
sequence, either one with an MCID (structure) or an /Artifact, and the
sequences balance; each page's MCIDs run 0, 1, 2... without a gap.  Exit 0,
or 1 with the first problem on each bad page.

usage: pdfmarked.py FILE.pdf"""
import re
import subprocess
import sys

q = subprocess.run(['qpdf', '--qdf', '--object-streams=disable', sys.argv[1], '-'],
                   check=True, capture_output=True).stdout.decode('latin-1')
problems = []
pages = re.split(r'%% Contents for page (\d+)\n', q)[1:]
if not pages:
    problems.append('no page contents found')
for num, body in zip(pages[0::2], pages[1::2]):
    m = re.search(r'stream\n(.*?)\nendstream', body, re.S)
    if not m:
        problems.append(f'page {num}: no content stream')
        continue
    c = re.sub(r'\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>', ' ', m.group(1))   # strings out
    depth, mcids, bad = 0, [], None
    for tok in re.finditer(r'/MCID (\d+)|\bBDC\b|\bBMC\b|\bEMC\b|\bBT\b|\bDo\b|\bS\b', c):
        t = tok.group(0)
        if tok.group(1) is not None:
            mcids.append(int(tok.group(1)))
        elif t in ('BDC', 'BMC'):
            depth += 1
        elif t == 'EMC':
            depth -= 1
            if depth < 0:
                bad = bad or 'EMC without a sequence'
        elif depth == 0:
            bad = bad or f'{t} outside marked content'
    if depth != 0:
        bad = bad or 'unbalanced marked content'
    if mcids != list(range(len(mcids))):
        bad = bad or f'MCIDs {mcids[:8]}... not 0, 1, 2...'
    if bad:
        problems.append(f'page {num}: {bad}')
for p in problems[:10]:
    print(p)
sys.exit(1 if problems else 0)
