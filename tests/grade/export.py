#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A lab's grade report (build/grade/labNN.json, tests/grade/report.py) in
the formats course platforms read.

    export.py junit LABJSON -o FILE.xml [--name NAME] [--status S] [--reason TEXT]
    export.py gradescope LABJSON -o results.json [--status S] [--reason TEXT]
              [--log FILE] [--seconds N] [--visibility V]

junit: JUnit XML, one <testcase> per test of the KTAP report (GitHub,
GitLab and Jenkins show it as a test report); a failure carries the
assertion the test printed and its hint, and each test's points per TODO
are <property> elements.

gradescope: the results.json of Gradescope's autograder specification
(top level: score, execution_time, output, tests[]; each test: name,
score, max_score, status "passed"/"failed", output, visibility). One test
per TODO of the lab's `tests` file, worth that TODO's points, its output
the cases it still misses and the hints the report showed; then one test
worth 0 points per check that failed (a failed check is why points were
withheld). A lab without a tests file (lab 00) has one point per test.

--log FILE: the grading's output (make grade's report); results.json's
output ends with it, so a student sees there what `make grade` prints.

LABJSON may be missing or unreadable: the tree did not build, the lab VM
never finished, the grader was killed. Then both outputs still exist and
say so: score 0, one failed test named after the status, and the reason
(--reason, the last lines of --log). A platform must never see a missing
file: it would show the student "autograder failed" and no reason.
"""
import argparse
import json
import os
import sys
import xml.etree.ElementTree as ET

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


def load(path):
    """The report, or None when there is none to read."""
    try:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
        return d if isinstance(d, dict) and "tests" in d else None
    except (OSError, ValueError):
        return None


def tail(path, n=30):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def why_missing(status, reason, log):
    """The text a student sees when there is no report."""
    text = reason or {
        "build-failed": "the tree did not build",
        "timeout": "grading took too long and was stopped (a hang in the lab VM?)",
        "crashed": "the lab VM crashed",
        "no-result": "the grader produced no report (it crashed, or the tree did not build)",
    }.get(status, f"no report ({status})")
    t = tail(log) if log else ""
    return f"{text}\n\nlast lines of the grading log:\n{t}" if t else text


def failure_text(t):
    lines = list(t.get("output") or [])
    if t.get("reason"):
        lines.insert(0, t["reason"])
    if t.get("hint"):
        lines.append("hint: " + t["hint"])
    return "\n".join(lines)


# --- JUnit XML ---------------------------------------------------------------

def junit(report, name, status, reason, log):
    suites = ET.Element("testsuites", name=name)
    if report is None:
        s = ET.SubElement(suites, "testsuite", name=name, tests="1", failures="1",
                          errors="0", skipped="0", time="0")
        c = ET.SubElement(s, "testcase", classname=name, name=status or "no-result")
        ET.SubElement(c, "failure", message=status or "no-result").text = \
            why_missing(status, reason, log)
        return suites
    tests = report["tests"]
    fails = sum(t["status"] == "FAIL" for t in tests)
    skips = sum(t["status"] == "SKIP" for t in tests)
    s = ET.SubElement(suites, "testsuite", name=f"{name}",
                      tests=str(len(tests)), failures=str(fails), errors="0",
                      skipped=str(skips), time=str(report.get("seconds", 0)))
    props = ET.SubElement(s, "properties")
    for k in ("lab", "points", "points_total", "score", "seed"):
        ET.SubElement(props, "property", name=k, value=str(report.get(k, "")))
    if status:
        ET.SubElement(props, "property", name="status", value=status)
    for t in tests:
        prog, _, case = t["test"].partition(".")
        c = ET.SubElement(s, "testcase", classname=f"lab{report['lab']}.{prog}",
                          name=case or prog)
        if t.get("points"):
            p = ET.SubElement(c, "properties")
            for todo, v in t["points"].items():
                ET.SubElement(p, "property", name=todo, value=f"{v['earned']}/{v['of']}")
        if t["status"] == "FAIL":
            ET.SubElement(c, "failure", message=t.get("reason") or "failed").text = \
                failure_text(t)
        elif t["status"] == "SKIP":
            ET.SubElement(c, "skipped", message=t.get("reason") or "skipped")
    return suites


# --- Gradescope results.json ----------------------------------------------------

def gradescope(report, status, reason, log, seconds, visibility):
    if report is None:
        text = why_missing(status, reason, log)
        return {"score": 0, "execution_time": seconds, "output": text,
                "tests": [{"name": f"grading: {status or 'no-result'}", "score": 0,
                           "max_score": 0, "status": "failed", "output": text,
                           "visibility": visibility}]}
    tests = []
    if report.get("todos"):
        for todo, v in report["todos"].items():
            lines = [f"{c['case']}: {c['status']} ({c['earned']}/{c['points']})"
                     for c in v["cases"]]
            if v.get("withheld_by"):
                lines.append("withheld: a check failed (" + ", ".join(v["withheld_by"]) +
                             "): your code broke what worked with the stubs")
            for level, h in sorted(v.get("hints", {}).items()):
                lines.append(f"hint {level}: {h}")
            tests.append({"name": todo, "score": v["earned"], "max_score": v["total"],
                          "status": "passed" if v["earned"] == v["total"] else "failed",
                          "output": "\n".join(lines), "visibility": visibility})
        # a check or a generic test (the build, the VM, dmesg) earns no
        # points, but its failure is why others earned none
        for t in report["tests"]:
            if t["status"] == "FAIL" and not t.get("points"):
                tests.append({"name": t["test"], "score": 0, "max_score": 0,
                              "status": "failed", "output": failure_text(t),
                              "visibility": visibility})
    else:
        for t in report["tests"]:
            ok = t["status"] == "PASS"
            tests.append({"name": t["test"], "score": 1 if ok else 0, "max_score": 1,
                          "status": "passed" if ok else "failed",
                          "output": "" if ok else failure_text(t),
                          "visibility": visibility})
    head = (f"lab {report['lab']}: {report['points']}/{report['points_total']} points "
            f"({report['score']}%), tests {report['passed']}/{report['total']} passed, "
            f"seed {report['seed']}" + (f", status {status}" if status else ""))
    if log:     # what `make grade` printed: every test, its assertion, the hints
        head += "\n\n" + tail(log, 200)
    return {"score": report["points"], "execution_time": seconds or report.get("seconds", 0),
            "output": head, "tests": tests}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("format", choices=("junit", "gradescope"))
    ap.add_argument("labjson")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--name", help="the suite's name (default: labNN)")
    ap.add_argument("--status", default="")
    ap.add_argument("--reason", default="")
    ap.add_argument("--log")
    ap.add_argument("--seconds", type=int, default=0)
    ap.add_argument("--visibility", default="visible", choices=VISIBILITIES)
    a = ap.parse_args()
    report = load(a.labjson)
    tmp = a.output + ".tmp"
    if a.format == "junit":
        lab = report["lab"] if report else ""
        tree = ET.ElementTree(junit(report, a.name or f"lab{lab}", a.status, a.reason, a.log))
        ET.indent(tree)
        tree.write(tmp, encoding="utf-8", xml_declaration=True)
    else:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(gradescope(report, a.status, a.reason, a.log, a.seconds,
                                 a.visibility), f, indent=1)
    os.replace(tmp, a.output)   # never a half-written file
    return 0


if __name__ == "__main__":
    sys.exit(main())
