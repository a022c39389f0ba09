#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn one `make figures` run into build/figures/numbers.json.

Reads what tests/figures/workloads.sh printed in the lab VM (sections
"=== NAME", lines "COUNT NAME KEY N") and the "BENCH mode=... k=v" lines
of tests/bench/{tvmm,kvm}_bench, and writes
  numbers.json      the figures, nested ({"minios": {"exits": 255}}), with
                    the run's date and lab VM configuration under "run"
  numbers.en.tsv    one "key<TAB>value" line per figure, dotted keys,
  numbers.it.tsv    values formatted for the language (8,666,226 / 8.666.226)
docs/numbers.lua and tests/figures/render.py read the .tsv files. A
figure the run did not produce is an error: a page must never quote a
number that was not measured.
"""
import argparse
import datetime
import json
import re
import sys

MODES = ("hw", "deprivileged", "patch", "paravirt")


def die(msg):
    sys.exit("collect.py: " + msg)


def sections(text):
    """{name: body} for the "=== name" sections, and the COUNT lines."""
    out, counts, name, body = {}, {}, None, []
    for line in text.splitlines():
        line = line.rstrip("\r")
        m = re.match(r"^COUNT (\S+) (\S+) (\d+)$", line)
        if m:
            counts.setdefault(m.group(1), {})[m.group(2)] = int(m.group(3))
            continue
        if line.startswith("=== "):
            if name:
                out[name] = "\n".join(body).strip("\n")
            name, body = line[4:].strip(), []
        elif name:
            body.append(line)
    if name:
        out[name] = "\n".join(body).strip("\n")
    return out, counts


def stats(sec, name):
    """exits per reason of a traced run, from `tvmm stats --json`"""
    try:
        doc = json.loads(sec[name + ".stats"])
    except (KeyError, ValueError) as e:
        die(f"no stats JSON for {name}: {e}")
    per = {ev["reason"]: ev["samples"] for ev in doc["events"]}
    return doc["total_samples"], per


def record(sec, name, raw=False):
    """the JSON record of a one-record section (raw: the line itself)"""
    try:
        line = sec[name].splitlines()[0].strip()
        rec = json.loads(line)
        return line if raw else rec
    except (KeyError, ValueError, IndexError) as e:
        die(f"no trace record in section {name}: {e}")


def device_table(text):
    """the tvmm-dev table of a `tvmm stats` output, without the note"""
    m = re.search(r"^tvmm-dev accesses.*?(?=\n\s*\nNote:|\nNote:|\Z)", text, re.S | re.M)
    if not m:
        die("mmio: no tvmm-dev table in its tvmm stats output")
    return m.group(0).rstrip()


def snapshot(sec):
    """lab 11: `tvmm run --snapshot`'s line, the file's size, `tvmm restore`'s lines"""
    def line(name, pattern):
        for ln in sec.get(name, "").splitlines():
            if re.match(pattern, ln):
                return ln.strip()
        die(f"{name}: no line matching {pattern!r}")
    saved = line("snapshot.save", r"tvmm: saved to \S+ after \d+ exits ")
    try:
        size = int(sec.get("snapshot.bytes", "").strip())
    except ValueError:
        die("snapshot.bytes: not a byte count")
    ram = re.search(r"(\d+) KiB", line("snapshot.restore", r"tvmm: restored "))
    # the file: a 64-byte header, the state, the RAM (docs/snapshot-format.md)
    return {"at": int(re.search(r"after (\d+) exits", saved).group(1)), "saved": saved,
            "bytes": size, "kib": round(size / 1024),
            "state_bytes": size - 64 - int(ram.group(1)) * 1024,
            "restored": line("snapshot.restore", r"tvmm: restored "),
            "summary": line("snapshot.restore", r"tvmm: .* after \d+ exits? \(")}


def compare(sec, name):
    try:
        doc = json.loads(sec[name])
    except (KeyError, ValueError) as e:
        die(f"no tvmm compare JSON in section {name}: {e}")
    rows = {}
    for t in doc["techniques"]:
        rows[t["technique"]] = {
            "correct": bool(t["correct"]),
            "exits": t["exits"],
            "emulated": t["emulated"],
            "reflected": t["reflected"],
            "injected": t["injected"],
            "ignored": t["ignored"],
            "patched": t["patched"],
            "vmcalls": t["vmcalls"],
            "guest_ticks": t["guest_tsc_ticks"],
            # one decimal, as the tool's own table prints it
            "cycles_per_exit": round(t["cycles_per_exit"], 1),
        }
        pr = t.get("properties")
        if pr and pr.get("measured"):	# Popek and Goldberg's, from the probe
            rows[t["technique"]]["properties"] = {
                "equivalence": bool(pr["equivalence"]),
                "resource_control": bool(pr["resource_control"]),
                "efficiency": float(pr["efficiency"]),
                "trapped": pr["probe_trapped"],
                "instructions": pr["probe_instructions"],
            }
        if "slowdown" in t:	# the emulated row: what interpreting cost
            rows[t["technique"]].update({
                "instructions": t["instructions"],
                "host_ns_per_insn": round(t["host_ns_per_insn"], 1),
                "hw_host_ns_per_insn": round(t["hw_host_ns_per_insn"], 1),
                "slowdown": round(t["slowdown"], 1),
            })
    missing = [m for m in MODES if m not in rows]
    if missing:
        die(f"{name}: no row for {', '.join(missing)}")
    return rows


def live(sec, name):
    """a live migration's rounds, stop-and-copy and downtime (workloads.sh)"""
    text = sec.get(name, "")
    rounds = {}
    for m in re.finditer(r"round (\d+): sent (\d+) pages, dirtied (\d+) during the round, "
                         r"(\d+) guest ticks", text):
        rounds[m.group(1)] = {"sent": int(m.group(2)), "dirtied": int(m.group(3)),
                              "ticks": int(m.group(4))}
    stop = re.search(r"stop-and-copy: sent (\d+) pages and the CPU state after (\d+) exits "
                     r"\((\d+) pages in (\d+) rounds, (\d+) bytes\)", text)
    down = re.search(r"downtime (\d+) guest ticks", text)
    if not rounds or not stop or not down:
        die(f"{name}: no rounds, stop-and-copy or downtime line")
    return {"rounds": len(rounds), "round": rounds, "converged": "converged:" in text,
            "stop_pages": int(stop.group(1)), "pages_sent": int(stop.group(3)),
            "bytes": int(stop.group(5)), "downtime_ticks": int(down.group(1))}


def bench(text):
    """{mode: {key: value}} from the BENCH lines"""
    out = {}
    for line in text.splitlines():
        if not line.startswith("BENCH mode="):
            continue
        kv = dict(w.split("=", 1) for w in line.split()[1:] if "=" in w)
        out.setdefault(kv.pop("mode"), kv)
    return out


def consolidate(text):
    """`tvmm consolidate`'s usage lines: the VMs' bills against the run's wall
    time on CPU 0 (percentages of wall_ticks), and the share of the VMs'
    run time the host took back (host over run ticks, summed)"""
    bill = r"guest_ticks=(\d+) exits=(\d+) tvmm_ticks=(\d+) host_ticks=(\d+) halted_ticks=(\d+)"
    m = re.search(r"tvmm: usage total: vms=(\d+) wall_ticks=(\d+) " + bill, text)
    if not m:
        die("consolidate: no 'tvmm: usage total:' line")
    vms, wall, guest, exits, tvmm, host, halted = (int(g) for g in m.groups())
    if len(re.findall(r"tvmm: usage \[[^]]+\] " + bill, text)) != vms or not wall:
        die(f"consolidate: not {vms} usage lines, or no wall time")
    run = guest + tvmm + host + halted
    return {"consolidate_vms": vms, "consolidate_wall_ticks": wall,
            "consolidate_guest_ticks": guest, "consolidate_tvmm_ticks": tvmm,
            "consolidate_exits": exits,
            "consolidate_guest_pct": 100.0 * guest / wall,
            "consolidate_tvmm_pct": 100.0 * tvmm / wall,
            "consolidate_other_pct": 100.0 * max(wall - guest - tvmm, 0) / wall,
            "consolidate_host_pct": 100.0 * host / run if run else 0.0}


def num(s):
    return float(s) if "." in s else int(s)


def ratio(a, b):
    return round(a / b, 2)


def labvm(sec, bochsrc):
    lines = sec.get("labvm", "").splitlines()
    kernel = lines[0] if lines else "?"
    cpus = lines[2] if len(lines) > 2 else "?"
    model = ips = "?"
    for line in bochsrc.splitlines():
        m = re.search(r"model\s*=\s*([\w]+)", line)
        if line.startswith("cpu:") and m:
            model = m.group(1)
        m = re.search(r"ips\s*=\s*(\d+)", line)
        if line.startswith("cpu:") and m:
            ips = m.group(1)
    return f"Bochs, {model}, ips={ips}, {cpus} CPU, Linux {kernel}"


def build(sec, counts, bench_text, bochsrc, key):
    n = {"run": {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
        "labvm": labvm(sec, bochsrc),
        "key": key,
    }}

    def summary(name):
        total, per = stats(sec, name)
        return total, per, counts.get(name, {})

    def summary_line(name):
        """the tool's "tvmm: hlt after N exits (...)" line of a run"""
        for ln in sec.get(name + ".run", "").splitlines():
            if re.match(r"tvmm: .* after \d+ exits? ", ln):
                return ln.strip()
        die(f"{name}: no 'tvmm: ... after N exits' line")

    total, per, c = summary("hello")
    n["hello"] = {"exits": total, "io": per.get("IO_INSTRUCTION", 0), "hlt": per.get("HLT", 0),
                  "stats_table": sec["hello.stats_table"].strip("\n")}
    n["hello"]["record0"] = record(sec, "hello.record0", raw=True)
    n["hello"]["summary"] = summary_line("hello")
    total, per, c = summary("halt")
    n["halt"] = {"exits": total, "record0": record(sec, "halt.record0", raw=True)}
    total, per, c = summary("cpuid_loop")
    n["cpuid_loop"] = {"exits": total, "cpuid": per.get("CPUID", 0), "vmcall": per.get("VMCALL", 0)}
    total, per, c = summary("io_loop")
    n["io_loop"] = {"exits": total, "out": c.get("mnemonic.out", 0), "in": c.get("mnemonic.in", 0)}
    total, per, c = summary("mmio")
    n["mmio"] = {"exits": total, "io": per.get("IO_INSTRUCTION", 0),
                 "ept_violation": per.get("EPT_VIOLATION", 0), "hlt": per.get("HLT", 0),
                 "record0": record(sec, "mmio.record0", raw=True), "summary": summary_line("mmio"),
                 "device_table": device_table(sec["mmio.stats_table"])}
    total, per, c = summary("minios")
    cli = record(sec, "minios.cli")
    n["minios"] = {"exits": total, "summary": summary_line("minios"), "emulated": c["action.emulated"],
                   "reflected": c["action.reflected"], "injected": c["action.injected"],
                   "out": c["mnemonic.out"],
                   "cli": {"seq": cli["seq"], "cycles": cli["cycles"],
                           "record": record(sec, "minios.cli", raw=True)}}
    for i, line in enumerate(sec.get("minios.records", "").splitlines()[:3]):
        n["minios"][f"record{i}"] = line.strip()
    if "record2" not in n["minios"]:
        die("minios: fewer than 3 trace records")
    total, per, c = summary("minios_hw")
    n["minios_hw"] = {"exits": total, "summary": summary_line("minios_hw"), "out": per.get("IO_INSTRUCTION", 0),
                      "hlt": per.get("HLT", 0), "injected": c["action.injected"]}
    wrong = {}
    for mode in MODES:
        m = re.search(r"popek: (\d+) wrong", sec.get(f"popek_{mode}.run", ""))
        if not m:
            die(f"popek --mode {mode}: no 'popek: N wrong' line")
        console = [ln for ln in sec[f"popek_{mode}.run"].splitlines()
                   if not ln.startswith(("tvmm:", "status "))]
        wrong[mode] = {"wrong": int(m.group(1)), "console": "\n".join(console)}
    n["popek"] = wrong
    n["scan"] = {"minios": {"cycles": record(sec, "minios_patch.scan")["cycles"]},
                 "popek": {"cycles": record(sec, "popek_patch.scan")["cycles"]}}
    total, per, c = summary("minios_pv")
    n["minios_pv"] = {"exits": total, "vmcall": per.get("VMCALL", 0), "injected": c["action.injected"]}
    n["snapshot"] = snapshot(sec)

    # every field of the records the pages show, for slides that wrap
    # a record over lines ({{minios.cli.rip}}), and every traced run's
    # exits per reason ({{hello.reasons.HLT.avg_ticks}})
    for name, sect in (("hello", "hello.record0"), ("halt", "halt.record0"),
                       ("mmio", "mmio.record0"), ("minios", "minios.records")):
        n[name]["first"] = record(sec, sect)
    n["minios"]["cli"].update(record(sec, "minios.cli"))
    for name in ("hello", "halt", "cpuid_loop", "io_loop", "mmio", "minios", "minios_hw",
                 "minios_pv"):
        doc = json.loads(sec[name + ".stats"])
        n[name]["reasons"] = {ev["reason"]: {k: v for k, v in ev.items() if k != "reason"}
                              for ev in doc["events"]}
    n.update(consolidate(sec.get("consolidate", "")))
    n["compare"] = {"minios": compare(sec, "compare.minios"),
                    "popek": compare(sec, "compare.popek")}

    n["live"] = {"small": live(sec, "live.memwrite"), "big": live(sec, "live.memwrite_big")}
    # the big working set's, under the names the pages use for "the" run
    for k in ("rounds", "pages_sent", "downtime_ticks"):
        n["live_" + k] = n["live"]["big"][k]

    b = bench(bench_text)
    try:
        normal, floor, kvm, trace = b["normal"], b["floor"], b["kvm"], b["trace"]
        n["bench"] = {}
        for k in ("cpuid", "io"):
            t, f, q = num(normal[k + "_exit"]), num(floor[k + "_exit"]), num(kvm[k + "_exit"])
            n["bench"][k] = {"tvmm": t, "floor": f, "kvm": q,
                             "tvmm_floor": ratio(t, f), "tvmm_kvm": ratio(t, q),
                             "traced": num(trace[k + "_exit"])}
        n["bench"]["trace_ratio"] = ratio(num(trace["run_tsc"]), num(normal["run_tsc"]))
        # what KVM's OUT (out to its userspace and back) costs over its CPUID
        n["bench"]["kvm_io_cpuid"] = ratio(num(kvm["io_exit"]), num(kvm["cpuid_exit"]))
    except KeyError as e:
        die(f"the bench output lacks {e} (modes: {', '.join(b) or 'none'})")
    return n


# decimals of the figures that are not integers, by the key's last part
# (the precision the tools print); any other float gets one decimal
DECIMALS = {"tvmm_floor": 2, "tvmm_kvm": 2, "trace_ratio": 2, "kvm_io_cpuid": 1,
            "cycles_per_exit": 1, "sample_pct": 2, "time_pct": 2, "efficiency": 4,
            "consolidate_guest_pct": 1, "consolidate_tvmm_pct": 2, "consolidate_other_pct": 2,
            "consolidate_host_pct": 2}


def fmt(v, lang, key=""):
    if isinstance(v, bool):
        return {"en": ("no", "yes"), "it": ("no", "sì")}[lang][v]
    if isinstance(v, int):
        # thousands separators only where prose or a table shows a large
        # figure; a record's fields stay as the trace writes them
        if key.endswith(".guest_ticks") or key.startswith("scan."):
            s = f"{v:,}"
            return s.replace(",", ".") if lang == "it" else s
        return str(v)
    if isinstance(v, float):
        s = f"{v:.{DECIMALS.get(key.rsplit('.', 1)[-1], 1)}f}"
        return s.replace(".", ",") if lang == "it" else s
    return str(v)


def flat(d, prefix=""):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from flat(v, prefix + k + ".")
        else:
            yield prefix + k, v


def escape(s):
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", " ")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workloads", required=True)
    ap.add_argument("--bench", required=True)
    ap.add_argument("--bochsrc", default="")
    ap.add_argument("--key", default="")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    sec, counts = sections(open(a.workloads, errors="replace").read())
    bochsrc = ""
    if a.bochsrc:
        try:
            bochsrc = open(a.bochsrc).read()
        except OSError:
            pass
    n = build(sec, counts, open(a.bench).read(), bochsrc, a.key)
    with open(a.out + "/numbers.json", "w") as f:
        json.dump(n, f, indent=1, ensure_ascii=False)
        f.write("\n")
    for lang in ("en", "it"):
        with open(f"{a.out}/numbers.{lang}.tsv", "w") as f:
            for k, v in flat(n):
                f.write(f"{k}\t{escape(fmt(v, lang, k))}\n")


if __name__ == "__main__":
    main()
