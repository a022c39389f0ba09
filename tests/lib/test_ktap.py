#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of ktap.py (stdlib unittest). Prints TAP 13 so that
tests/check.sh can count these results like every other step:

    python3 tests/lib/test_ktap.py        # TAP on stdout, exit 1 on failure
"""

import os
import subprocess
import sys
import tempfile
import traceback
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ktap  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

# What kselftest_harness.h (6.1) prints for one program: pass, fail, skip
# (6.1 leaves the name out of a skipped case's result line).
HARNESS = """\
TAP version 13
1..3
# Starting 3 tests from 1 test cases.
#  RUN           global.pass ...
#            OK  global.pass
ok 1 global.pass
#  RUN           global.fail ...
# caps_test.c:42:fail:Expected 1 (1) == 2 (2)
# fail: Test terminated by assertion
#          FAIL  global.fail
not ok 2 global.fail
#  RUN           global.skip ...
#      SKIP      no VMX on this CPU
#            OK  global.skip
ok 3 # SKIP no VMX on this CPU
# FAILED: 1 / 3 tests passed.
# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0
"""


def indent(text, prefix="# "):
    return "".join(prefix + l if l else prefix.rstrip() for l in text.splitlines(True))


# The lab VM's /init output (kselftest runner style) around two programs.
RUNNER = """\
KTAP version 1
# kernel: 6.1.192 (x86_64)
# cpus: 2
1..3
# selftests: tvmm: caps_test
""" + indent(HARNESS) + """\
not ok 1 selftests: tvmm: caps_test # exit=1
# selftests: tvmm: plain_test
# hello from a program without TAP
ok 2 selftests: tvmm: plain_test
# selftests: tvmm: kernel_clean
ok 3 selftests: tvmm: kernel_clean
"""


def counts(text):
    return ktap.count(ktap.summarize_text(text))


def names(text):
    return [(l.status, l.name) for l in ktap.summarize_text(text)]


class TestHarnessOutput(unittest.TestCase):
    def test_flat_harness(self):
        self.assertEqual(counts(HARNESS), (1, 1, 1))

    def test_skip_reason(self):
        leaves = ktap.summarize_text(HARNESS)
        self.assertEqual(leaves[2].status, ktap.SKIP)
        self.assertEqual(leaves[2].reason, "no VMX on this CPU")

    def test_skip_without_name_takes_run_line(self):
        self.assertEqual(ktap.summarize_text(HARNESS)[2].name, "global.skip")

    def test_named_skip(self):
        doc = "1..1\nok 1 fixture.case # SKIP needs two CPUs\n"
        leaf = ktap.summarize_text(doc)[0]
        self.assertEqual((leaf.status, leaf.name, leaf.reason),
                         (ktap.SKIP, "fixture.case", "needs two CPUs"))

    def test_comments_are_not_results(self):
        # "#  RUN" and "# Totals" lines must not count
        self.assertEqual(len(ktap.summarize_text(HARNESS)), 3)


class TestNested(unittest.TestCase):
    def test_runner_document(self):
        # caps_test's 3 cases + plain_test + kernel_clean; caps_test's own
        # "not ok" adds nothing because one of its cases already failed
        self.assertEqual(counts(RUNNER), (3, 1, 1))

    def test_leaf_names(self):
        got = names(RUNNER)
        self.assertIn((ktap.FAIL, "caps_test.global.fail"), got)
        self.assertIn((ktap.PASS, "plain_test"), got)
        self.assertIn((ktap.PASS, "kernel_clean"), got)

    def test_space_indented_ktap_subtests(self):
        doc = ("KTAP version 1\n1..1\n"
               "    KTAP version 1\n    1..2\n"
               "    ok 1 a\n    ok 2 b # SKIP not today\n"
               "ok 1 suite\n")
        self.assertEqual(counts(doc), (1, 0, 1))
        self.assertEqual(names(doc)[0], (ktap.PASS, "suite.a"))

    def test_two_levels(self):
        inner = "TAP version 13\n1..1\nok 1 deep\n"
        mid = "TAP version 13\n1..1\n" + indent(inner) + "ok 1 mid\n"
        doc = "KTAP version 1\n1..1\n" + indent(mid) + "ok 1 top\n"
        self.assertEqual(names(doc), [(ktap.PASS, "top.mid.deep")])


class TestFailures(unittest.TestCase):
    def test_crash_after_cases(self):
        prog = "TAP version 13\n1..2\nok 1 a\nok 2 b\n"
        doc = ("KTAP version 1\n1..1\n" + indent(prog) +
               "not ok 1 selftests: tvmm: crashy # exit=139\n")
        self.assertEqual(counts(doc), (2, 1, 0))
        fail = [l for l in ktap.summarize_text(doc) if l.status == ktap.FAIL][0]
        self.assertEqual(fail.name, "crashy")  # "selftests: tvmm: " dropped
        self.assertEqual(fail.reason, "exit=139")

    def test_crash_before_cases(self):
        prog = "TAP version 13\n1..4\n"
        doc = ("KTAP version 1\n1..1\n" + indent(prog) +
               "not ok 1 selftests: tvmm: early # exit=139\n")
        self.assertEqual(counts(doc), (0, 1, 0))

    def test_ok_program_with_planned_but_no_cases(self):
        doc = "KTAP version 1\n1..1\n# 1..3\nok 1 liar\n"
        self.assertEqual(counts(doc), (0, 1, 0))

    def test_missing_plan_results(self):
        doc = "KTAP version 1\n1..3\nok 1 a\n"
        self.assertEqual(counts(doc), (1, 2, 0))

    def test_missing_plan_is_fine_with_results(self):
        self.assertEqual(counts("ok 1 a\nok 2 b\n"), (2, 0, 0))

    def test_empty_document_fails(self):
        self.assertEqual(counts("some boot noise\n"), (0, 1, 0))

    def test_skipped_program(self):
        doc = "KTAP version 1\n1..1\n# no VMX\nok 1 selftests: tvmm: x # SKIP\n"
        self.assertEqual(counts(doc), (0, 0, 1))

    def test_plan_skip(self):
        self.assertEqual(counts("TAP version 13\n1..0 # SKIP no vmx\n"), (0, 0, 0))

    def test_bail_out(self):
        self.assertEqual(counts("TAP version 13\n1..2\nok 1 a\nBail out! boom\n"),
                         (1, 2, 0))


class TestMarkers(unittest.TestCase):
    def test_markers_cut_boot_noise(self):
        doc = ("[    0.1] ok 1 this is kernel noise\nTVMM-KTAP-BEGIN\n" +
               RUNNER + "TVMM-KTAP-END\nreboot: Power down\n")
        self.assertEqual(counts(doc), (3, 1, 1))

    def test_missing_end_marker(self):
        doc = ("TVMM-KTAP-BEGIN\nKTAP version 1\n1..2\n# selftests: tvmm: a\n"
               "# TAP version 13\n# 1..2\n# ok 1 first\n")
        leaves = ktap.summarize_text(doc)
        # the case that ran; fails: 2 missing top-level results, the
        # program's own missing case 2, the missing end marker
        self.assertEqual(ktap.count(leaves), (1, 4, 0))
        self.assertIn((ktap.PASS, "a.first"), [(l.status, l.name) for l in leaves])
        self.assertTrue(any("end_marker" in l.name for l in leaves))


class TestCli(unittest.TestCase):
    def run_cli(self, text, *args):
        with tempfile.NamedTemporaryFile("w", suffix=".tap", delete=False) as f:
            f.write(text)
        try:
            return subprocess.run(
                [sys.executable, os.path.join(HERE, "ktap.py"), "summarize",
                 *args, f.name], capture_output=True, text=True, check=False)
        finally:
            os.unlink(f.name)

    def test_summary_line_and_status(self):
        p = self.run_cli(RUNNER)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout.splitlines()[-1], "3 passed, 1 failed, 1 skipped")
        self.assertIn("FAIL caps_test.global.fail", p.stdout)
        self.assertIn("SKIP caps_test.global.skip [no VMX on this CPU]", p.stdout)

    def test_all_pass_exits_zero(self):
        p = self.run_cli("1..1\nok 1 a\n", "--quiet")
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stdout, "1 passed, 0 failed, 0 skipped\n")


class TapResult(unittest.TestResult):
    """Prints one TAP line per test as it finishes."""

    def __init__(self):
        super().__init__()
        self.n = 0
        self.failed = False

    def _name(self, test):
        return test.id().replace("__main__.", "")

    def _emit(self, ok, test, directive="", diag=""):
        self.n += 1
        if diag:
            for line in diag.rstrip().splitlines():
                print("# " + line)
        print(f"{'ok' if ok else 'not ok'} {self.n} {self._name(test)}"
              + (f" # {directive}" if directive else ""), flush=True)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._emit(True, test)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.failed = True
        self._emit(False, test, diag="".join(traceback.format_exception(*err)))

    def addError(self, test, err):
        super().addError(test, err)
        self.failed = True
        self._emit(False, test, diag="".join(traceback.format_exception(*err)))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._emit(True, test, directive=f"SKIP {reason}")

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._emit(True, test, directive="TODO expected failure")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.failed = True
        self._emit(False, test, directive="unexpected success")


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    print("TAP version 13")
    print(f"1..{suite.countTestCases()}")
    result = TapResult()
    suite.run(result)
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
