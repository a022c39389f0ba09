#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""What `make grade` is doing while the lab VM builds and runs.

    watch.py --log BUILD_LOG --serial SERIAL_LOG --programs "a_test b_test"
             [--prefix grade] [--interval S] [--tty | --no-tty]

Follows the two files grade.sh's lab VM run writes (the build log from
its start: grade.sh empties it first; the serial log from what it holds
when the watch starts) (the build and boot
messages of tests/labvm/labvm.sh and kernel.sh; the lab VM's serial
console) until it is killed, and says which step is running: the lab VM
kernel's build (its progress lines), the module and tool build, the
Bochs boot, each test program (k of n) and its result. On a terminal one
line, redrawn, with the step's seconds; otherwise one line per step.
"""
import argparse
import os
import re
import signal
import sys
import time

# (pattern of a labvm.sh/kernel.sh line, the step it starts)
STEPS = [
    (re.compile(r"^kernel.sh: building the lab VM kernel"),
     "building the lab VM kernel (once: it is cached)"),
    (re.compile(r"^kernel.sh: (\d+)% \((\d+)/(\d+) files\)"), None),   # its progress
    (re.compile(r"^labvm: make module userspace"), "building tvmm.ko and the tool"),
    (re.compile(r"^labvm: make -C tests/selftests/tvmm install"), "building the tests"),
    (re.compile(r"^labvm: built .*initramfs"), "lab VM ready"),
    (re.compile(r"^labvm: booting (\w+)"), "booting the lab VM ({0})"),
]
_START = re.compile(r"^# selftests: tvmm: (\S+)")
_END = re.compile(r"^(not ok|ok) \d+ selftests: tvmm: (\S+)")


class Follow:
    """The lines appended to a file since the last call (it may not exist
    yet). skip_existing: what it held when the watch began is an earlier
    run's, skipped until the file is made anew (another inode, or shorter);
    else it is this run's (grade.sh empties the build log first)."""

    def __init__(self, path, skip_existing):
        self.path, self.part, self.ino, self.pos = path, "", None, 0
        if skip_existing:
            try:
                st = os.stat(path)
                self.ino, self.pos = st.st_ino, st.st_size
            except OSError:
                pass

    def lines(self):
        try:
            st = os.stat(self.path)
            if st.st_ino != self.ino or st.st_size < self.pos:
                self.ino, self.pos, self.part = st.st_ino, 0, ""
            with open(self.path, encoding="utf-8", errors="replace") as f:
                f.seek(self.pos)
                data = f.read()
                self.pos = f.tell()
        except OSError:
            return []
        data = self.part + data
        out = data.split("\n")
        self.part = out.pop()
        return [line.rstrip("\r") for line in out]


class Say:
    def __init__(self, prefix, tty):
        self.prefix, self.tty = prefix, tty
        self.step, self.t0 = None, time.time()

    def start(self, step):
        if step == self.step:
            return
        self.step, self.t0 = step, time.time()
        if not self.tty:
            print(f"{self.prefix}: {step}", flush=True)
        self.draw()

    def note(self, text):
        """A line of its own, kept on a terminal too (a program's result)."""
        if self.tty:
            sys.stdout.write("\r\033[K")
        print(f"{self.prefix}: {text}", flush=True)
        self.draw()

    def draw(self):
        if self.tty and self.step:
            sys.stdout.write(f"\r\033[K{self.prefix}: {self.step} ({time.time() - self.t0:.0f} s)")
            sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--serial", required=True)
    ap.add_argument("--programs", default="")
    ap.add_argument("--prefix", default="grade")
    ap.add_argument("--interval", type=float, default=1.0)
    ap.add_argument("--tty", dest="tty", action="store_true", default=None)
    ap.add_argument("--no-tty", dest="tty", action="store_false")
    a = ap.parse_args()
    tty = sys.stdout.isatty() if a.tty is None else a.tty
    progs = a.programs.split()
    say = Say(a.prefix, tty)
    log, serial = Follow(a.log, False), Follow(a.serial, True)
    last_pct = -100
    seen = set()
    # grade.sh stops it with SIGTERM (a background job ignores SIGINT)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    try:
        while True:
            for line in log.lines():
                for pat, step in STEPS:
                    m = pat.match(line)
                    if not m:
                        continue
                    if step is None:           # the kernel build's progress
                        pct = int(m.group(1))
                        text = (f"building the lab VM kernel: {pct}% "
                                f"({m.group(2)}/{m.group(3)} files)")
                        if tty:
                            say.step = text
                            say.draw()
                        elif pct >= last_pct + 10 or pct == 100:
                            print(f"{a.prefix}: {text}", flush=True)
                            last_pct = pct
                    else:
                        say.start(step.format(*m.groups()))
                    break
            for line in serial.lines():
                # each event once: labvm.sh may write the log anew at the end
                m = _START.match(line)
                if m and ("start", m.group(1)) not in seen:
                    seen.add(("start", m.group(1)))
                    if m.group(1) in progs:
                        k = progs.index(m.group(1)) + 1
                        say.start(f"test program {k}/{len(progs)}: {m.group(1)}")
                    else:   # kernel_clean: the lab VM's dmesg, after the programs
                        say.start(f"checking {m.group(1)}")
                    continue
                m = _END.match(line)
                if m and m.group(2) in progs and ("end", m.group(2)) not in seen:
                    seen.add(("end", m.group(2)))
                    say.note(f"{m.group(2)}: {'passed' if m.group(1) == 'ok' else 'failed'}")
            say.draw()
            time.sleep(a.interval)
    except KeyboardInterrupt:
        pass
    finally:
        if tty:
            sys.stdout.write("\r\033[K")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
