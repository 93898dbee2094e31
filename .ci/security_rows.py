#!/usr/bin/env python3
"""Every test SECURITY.md names exists: each `path.rs` and each `path.rs::function`.

A row whose test was renamed or moved would otherwise vouch for nothing. A function is looked
for in the named file and in the `tests.rs` beside it or under its module folder.
"""
import os
import re
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
text = open(os.path.join(root, "SECURITY.md"), encoding="utf-8").read()
missing = []
for match in re.finditer(r"`([\w./-]+/[\w.-]+\.rs)(?:::(\w+))?`", text):
    path, function = match.group(1), match.group(2)
    full = os.path.join(root, path)
    if not os.path.exists(full):
        missing.append(f"{path}: no such file")
        continue
    if function is None:
        continue
    places = [full, full[:-3] + "/tests.rs", os.path.join(os.path.dirname(full), "tests.rs")]
    sources = [open(p, encoding="utf-8").read() for p in places if os.path.exists(p)]
    if not any(re.search(rf"\bfn {function}\b", source) for source in sources):
        missing.append(f"{path}::{function}: no such function")
for line in missing:
    print(f"SECURITY.md names a test that does not exist: {line}", file=sys.stderr)
sys.exit(1 if missing else 0)
