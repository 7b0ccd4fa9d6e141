#!/usr/bin/env python3
"""doclang.py PDF: the /Lang of each /Document structure element, one a line
(None when it has none), in the order of the structure root's /K (the
reading order; object order is the merge's)."""
import json, subprocess, sys
objs = json.loads(subprocess.run(['qpdf', '--json=1', '--json-key=objects', sys.argv[1]],
                                 capture_output=True, text=True).stdout)['objects']
def get(ref):        # an indirect reference ("12 0 R"), or a direct value
    return objs.get(ref) if isinstance(ref, str) and ref.endswith(' R') else ref
trailer = objs['trailer']
root = get(trailer['/Root'])
st = get(root['/StructTreeRoot'])
kids = st['/K'] if isinstance(st['/K'], list) else [st['/K']]
for k in kids:
    v = get(k)
    if isinstance(v, dict) and v.get('/S') == '/Document':
        print(v.get('/Lang'))
