#!/usr/bin/env python3
"""The editing traces (seeds/traces) through Loro and Yrs (pycrdt), as flare-text-bench runs
them through Flare: one transaction per commit, CPU time for the replay, the encoded history's
size and the time for a fresh document to import it. With --flare FILE (flare-text-bench's
JSON lines from the same run), prints each measure side by side with Flare's ratio to Loro.

    python text-peers.py [--limit N] [--flare FILE] [TRACE...]
"""
import argparse
import gzip
import json
import os
import resource
import sys
import time

import loro
import pycrdt

TRACES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "seeds", "traces")


def load(name):
    path = name if name.endswith(".json.gz") else os.path.join(TRACES, name + ".json.gz")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def plain(trace, limit):
    text = list(trace["startContent"])
    for txn in trace["txns"][:limit]:
        for position, deleted, inserted in txn["patches"]:
            text[position:position + deleted] = list(inserted)
    return "".join(text)


def run_loro(trace, limit):
    doc = loro.LoroDoc()
    text = doc.get_text("text")
    start = time.process_time()
    if trace["startContent"]:
        text.insert(0, trace["startContent"])
        doc.commit()
    for txn in trace["txns"][:limit]:
        for position, deleted, inserted in txn["patches"]:
            if deleted:
                text.delete(position, deleted)
            if inserted:
                text.insert(position, inserted)
        doc.commit()
    replay = time.process_time() - start
    history = doc.export(loro.ExportMode.Updates(loro.VersionVector()))
    snapshot = doc.export(loro.ExportMode.Snapshot())
    start = time.process_time()
    fresh = loro.LoroDoc()
    fresh.import_(history)
    content = fresh.get_text("text").to_string()
    imported = time.process_time() - start
    return {"replay_seconds": replay, "history_bytes": len(history), "checkpoint_bytes": len(snapshot),
            "import_seconds": imported, "text": content}


def utf8_patches(trace, limit):
    """The patches with positions and lengths in UTF-8 bytes, which pycrdt's Text counts (the
    trace counts characters); worked out before the clock starts. Only characters wider than
    a byte are tracked, as (index, extra bytes): a trace has few."""
    wide = [(index, len(c.encode()) - 1) for index, c in enumerate(trace["startContent"]) if ord(c) > 127]
    txns = []
    for txn in trace["txns"][:limit]:
        patches = []
        for position, deleted, inserted in txn["patches"]:
            before = sum(extra for index, extra in wide if index < position)
            inside = sum(extra for index, extra in wide if position <= index < position + deleted)
            wide = [(index if index < position else index - deleted, extra) for index, extra in wide
                    if not position <= index < position + deleted]
            wide = [(index if index < position else index + len(inserted), extra) for index, extra in wide]
            wide += [(position + offset, len(c.encode()) - 1) for offset, c in enumerate(inserted) if ord(c) > 127]
            patches.append((position + before, deleted + inside, inserted))
        txns.append(patches)
    return txns


def run_yrs(trace, limit):
    doc = pycrdt.Doc()
    text = pycrdt.Text()
    doc["text"] = text
    txns = utf8_patches(trace, limit)
    start = time.process_time()
    if trace["startContent"]:
        with doc.transaction():
            text.insert(0, trace["startContent"])
    for patches in txns:
        with doc.transaction():
            for position, deleted, inserted in patches:
                if deleted:
                    del text[position:position + deleted]
                if inserted:
                    text.insert(position, inserted)
    replay = time.process_time() - start
    history = doc.get_update()
    start = time.process_time()
    fresh = pycrdt.Doc()
    fresh.apply_update(history)
    fresh_text = pycrdt.Text()
    fresh["text"] = fresh_text
    content = str(fresh_text)
    imported = time.process_time() - start
    return {"replay_seconds": replay, "history_bytes": len(history), "checkpoint_bytes": len(history),
            "import_seconds": imported, "text": content}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--flare", help="flare-text-bench output (JSON lines) from the same run")
    parser.add_argument("traces", nargs="*", default=["automerge-paper", "seph-blog1"])
    arguments = parser.parse_args()
    flare = {}
    if arguments.flare:
        with open(arguments.flare) as handle:
            for line in handle:
                line = line.strip()
                if line.startswith("{"):
                    row = json.loads(line)
                    flare[row["trace"]] = row
    failed = False
    for name in arguments.traces:
        trace = load(name)
        limit = len(trace["txns"]) if arguments.limit is None else min(arguments.limit, len(trace["txns"]))
        expected = trace["endContent"] if limit == len(trace["txns"]) else plain(trace, limit)
        results = {"loro": run_loro(trace, limit), "yrs": run_yrs(trace, limit)}
        for peer, result in results.items():
            if result.pop("text") != expected:
                print(f"{peer}: the text of {name} does not match the trace", file=sys.stderr)
                failed = True
        print(f"\n{name}, {limit} transactions")
        rows = [("replay (CPU s)", "replay_seconds", "{:.3f}"), ("encoded history (bytes)", "history_bytes", "{:,}"),
                ("checkpoint / snapshot (bytes)", "checkpoint_bytes", "{:,}"), ("import of the history (CPU s)", "import_seconds", "{:.3f}")]
        header = f"{'measure':32} {'Flare':>14} {'Loro':>14} {'Yrs (pycrdt)':>14} {'Flare / Loro':>13}"
        print(header)
        for label, key, form in rows:
            # Flare's CPU time where it reports one, as the peers' is CPU time.
            cpu = {"replay_seconds": "replay_cpu_seconds", "import_seconds": "import_cpu_seconds"}.get(key)
            mine = flare.get(name, {}).get(cpu, flare.get(name, {}).get(key))
            ratio = f"{mine / results['loro'][key]:.2f}x" if mine is not None and results["loro"][key] else "-"
            cells = [form.format(mine) if mine is not None else "-", form.format(results["loro"][key]), form.format(results["yrs"][key])]
            print(f"{label:32} {cells[0]:>14} {cells[1]:>14} {cells[2]:>14} {ratio:>13}")
        print(json.dumps({"trace": name, "transactions": limit, "loro": results["loro"], "yrs": results["yrs"]}))
    print(f"\npeak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB (Loro and Yrs together)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
