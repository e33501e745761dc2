#!/usr/bin/env python3
"""Every `unsafe { ... }` block in src/ carries a `// SAFETY:` comment, on the
line itself or in the comment lines just above it (DESIGN rule 10).

  scripts/check_safety.py          list offenders, exit 1 if any
"""
import pathlib
import re
import sys

BLOCK = re.compile(r"\bunsafe\s*\{")


def offenders(path):
    lines = path.read_text().splitlines()
    out = []
    for i, line in enumerate(lines):
        code = line.split("//", 1)[0]
        if not BLOCK.search(code):
            continue
        if "SAFETY:" in line:
            continue
        # Walk up through the comments above and the start of a statement
        # that spans several lines (`assert_eq!(\n unsafe { .. }`).
        j = i - 1
        ok = False
        while j >= 0 and i - j <= 8:
            text = lines[j].strip()
            if "SAFETY:" in text:
                ok = True
                break
            if not text.startswith("//") and text.endswith((";", "}", "{")):
                break
            j -= 1
        if not ok:
            out.append(i + 1)
    return out


def main():
    root = pathlib.Path(__file__).resolve().parent.parent / "src"
    bad = []
    for path in sorted(root.rglob("*.rs")):
        for n in offenders(path):
            bad.append(f"{path.relative_to(root.parent)}:{n}")
    for b in bad:
        print(f"unsafe block without a // SAFETY: line: {b}")
    if bad:
        sys.exit(1)
    print("every unsafe block in src/ has a SAFETY line")


if __name__ == "__main__":
    main()
