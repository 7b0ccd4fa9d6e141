#!/usr/bin/env python3
"""Prints a PDF's text lines rebuilt from word boxes (pdftotext -bbox): words
with the same baseline (within 1 pt) on a page form one line, in x order.
pdftotext's own line assembly splits a line where compressed CJK punctuation
(clreq) makes two glyph boxes overlap; the geometry does not lie."""
import re
import subprocess
import sys

out = subprocess.run(['pdftotext', '-bbox', sys.argv[1], '-'], check=True,
                     capture_output=True).stdout.decode('utf-8', 'replace')
for page in out.split('<page ')[1:]:
    words = []
    for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page):
        x0, y0, x1, y1, t = float(m.group(1)), float(m.group(2)), float(m.group(3)), float(m.group(4)), m.group(5)
        words.append((y1, x0, t, y1 - y0))
    lines = []
    for w in sorted(words):
        # same line: baselines within a third of the word height (superscripts join their line)
        if lines and abs(lines[-1][0] - w[0]) < max(1.0, w[3] / 3):
            lines[-1][1].append(w)
        else:
            lines.append([w[0], [w]])
    for y, ws in lines:
        ws.sort(key=lambda w: w[1])
        print(''.join(w[2] for w in ws) if all(ord(c) > 0x2e80 for w in ws for c in w[2][:1]) else ' '.join(w[2] for w in ws))
