#!/usr/bin/env python3
"""kunit-ktap.py JSON [LOG]: kunit.py's JSON results as one flat KTAP document.

The JSON is what `kunit.py parse --json` (or `run --json`) wrote: kunit.py's
own parser, which checks every nested plan.  Each test case becomes one
line, named suite.case.  A suite whose plan its results do not fill, or
that the parser saw crash or report errors, adds a failing line of its own,
so that a run that crashed after ten cases of twenty-five does not read as
ten passed.  A document with no test case at all is one failure.  Given
the run's raw console (LOG), that line also says where the kernel crashed:
its first splat (scripts/splat.ere) and the RIP that follows it.
"""
import json
import os
import re
import sys

def crash_site(log):
    """The first splat line of LOG and the first RIP line after it."""
    ere = os.path.join(os.path.dirname(os.path.abspath(__file__)), "splat.ere")
    with open(ere) as f:
        splat = re.compile(f.read().strip())
    first, rip = None, None
    with open(log, errors="replace") as f:
        for line in f:
            line = re.sub(r"^\[ *[0-9.]+\] ", "", line.rstrip("\r\n"))
            if first is None:
                if splat.search(line):
                    first = line.strip()
            elif "RIP:" in line:
                rip = line[line.index("RIP:"):].strip()
                break
    if first is None:
        return ""
    return f"; kernel: {first}" + (f", {rip}" if rip else "")


def walk(group, prefix, out, crash=""):
    name = group.get("name", "?")
    full = name if not prefix else f"{prefix}.{name}"
    if prefix == "" and name == "KUnit Test Group":
        full = ""
    crashed_cases = 0
    for n, case in enumerate(group.get("test_cases", []), 1):
        status = case.get("status", "FAIL")
        # The parser adds a nameless case for each one the plan promised
        # and the run never reported.
        cname = case["name"] or f"<case {n} of the plan: never reported>"
        label = f"{full}.{cname}" if full else cname
        if status == "PASS":
            out.append(("ok", label, ""))
        elif status == "SKIP":
            out.append(("ok", label, "SKIP"))
        else:
            if status == "ERROR":
                crashed_cases += 1
            out.append(("not ok", label, f"({status})"))
    for sub in group.get("sub_groups", []):
        walk(sub, full, out, crash)
    misc = group.get("misc", {})
    missing = misc.get("crashed", 0) - crashed_cases
    if group.get("test_cases") and (misc.get("errors", 0) > 0 or missing > 0):
        out.append(("not ok", f"{full or 'kunit'}: the run crashed or ended early",
                    f"({misc.get('errors', 0)} parser errors, {max(missing, 0)} planned cases missing{crash})"))


def main():
    crash = crash_site(sys.argv[2]) if len(sys.argv) > 2 else ""
    with open(sys.argv[1]) as f:
        top = json.load(f)
    out = []
    walk(top, "", out, crash)
    print("KTAP version 1")
    if not any("crashed or ended early" not in o[1] for o in out):
        out.append(("not ok", "kunit: no test case reported", ""))
    print(f"1..{len(out)}")
    for i, (res, label, extra) in enumerate(out, 1):
        if extra == "SKIP":
            print(f"{res} {i} {label} # SKIP")
        else:
            print(f"{res} {i} {label}{' ' + extra if extra else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
