#!/usr/bin/env python3
"""Writes articles that stress the page builder into DIR (argument 1):
  flow-N.md    paragraphs of varying length with headings: for widows, orphans
               and headings at a page foot (N shifts everything by a line or so)
  notes-N.md   footnotes referenced all over the page, some near its foot
Deterministic: the same files every run."""
import os
import random
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
words = ("treaty state obligation sanction measure court practice consent custom "
         "jurisdiction principle arbitration tribunal instrument provision reservation "
         "interpretation ratification protocol convention responsibility countermeasure").split()


def sentence(r):
    n = r.randint(8, 18)
    s = " ".join(r.choice(words) for _ in range(n))
    return s[0].upper() + s[1:] + "."


for n in range(6):
    r = random.Random(100 + n)
    body = []
    body.append(" ".join(sentence(r) for _ in range(2 + n)))
    for h in range(9):
        body.append(f"## Heading {h + 1}")
        for _ in range(r.randint(1, 4)):
            body.append(" ".join(sentence(r) for _ in range(r.randint(2, 9))))
    with open(os.path.join(out, f"flow-{n}.md"), "w") as f:
        f.write(f"---\ntitle: Page flow {n}\nlang: en\n---\n" + "\n\n".join(body) + "\n")

for n in range(4):
    r = random.Random(200 + n)
    body, notes = [], []
    k = 0
    for p in range(30):
        text = " ".join(sentence(r) for _ in range(r.randint(2, 6)))
        if r.random() < 0.5:
            k += 1
            text += f"[^{k}]"
            notes.append(f"[^{k}]: Note {k}. " + " ".join(sentence(r) for _ in range(r.randint(1, 3 + n))))
        body.append(text)
    with open(os.path.join(out, f"notes-{n}.md"), "w") as f:
        f.write(f"---\ntitle: Notes {n}\nlang: en\n---\n" + "\n\n".join(body) + "\n\n" + "\n\n".join(notes) + "\n")
