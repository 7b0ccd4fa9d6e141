#!/usr/bin/env python3
"""doclang.py PDF: the /Lang of each /Document structure element, one a line
(None when it has none), in object order."""
import json, subprocess, sys
d = json.loads(subprocess.run(['qpdf', '--json=1', '--json-key=objects', sys.argv[1]], capture_output=True, text=True).stdout)
for k, v in d['objects'].items():
    if isinstance(v, dict) and v.get('/S') == '/Document':
        print(v.get('/Lang'))
