#!/usr/bin/env python3
"""pdfdests.py PDF — checks that every named destination a link or outline
item of PDF points to is in the document's /Dests name tree, and that the
structure tree's parent tree has an entry for every /StructParents and
/StructParent key used.  Prints what is missing; exit status 1 if anything is.
Reads the PDF through `qpdf --json` (qpdf 11, JSON v2)."""
import json
import subprocess
import sys


def main(path):
    out = subprocess.run(["qpdf", "--json", path], capture_output=True, check=False).stdout
    objs = json.loads(out)["qpdf"][1]

    def val(o):
        return o.get("value", o) if isinstance(o, dict) else o

    def deref(r):
        while isinstance(r, str) and r.endswith(" R"):
            r = val(objs.get("obj:" + r, {}))
        return r

    def walk(node, pairs, acc, depth=0):
        node = deref(node)
        if not isinstance(node, dict) or depth > 64:
            return
        a = deref(node.get(pairs, []))
        acc.extend(a[0::2])
        for k in deref(node.get("/Kids", [])):
            walk(k, pairs, acc, depth + 1)

    root = deref(val(objs["trailer"])["/Root"])
    names = []
    walk(deref(root.get("/Names", {})).get("/Dests"), "/Names", names)
    names = set(names)
    keys = []
    st = deref(root.get("/StructTreeRoot", {}))
    walk(st.get("/ParentTree"), "/Nums", keys)
    keys = set(keys)
    problems, links, used = [], 0, 0
    for ident, o in objs.items():
        v = val(o)
        if not isinstance(v, dict):
            continue
        d = v.get("/Dest")
        if isinstance(d, str) and not d.endswith(" R"):
            links += 1
            if d not in names:
                problems.append(f"{ident}: destination {d} is not in /Dests")
        for k in ("/StructParents", "/StructParent"):
            if k in v:
                used += 1
                if v[k] not in keys:
                    problems.append(f"{ident}: {k} {v[k]} is not in the parent tree")
    for p in problems[:20]:
        print(p)
    print(f"{links} named destinations used, {len(names)} defined; "
          f"{used} parent-tree keys used, {len(keys)} defined; {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
