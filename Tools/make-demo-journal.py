#!/usr/bin/env python3
"""Writes seeds/demo/phone.json and seeds/demo/laptop.json: twelve weeks of a plausible journal
kept on two devices, in the format of `flare export --format json`, for `flare import`.

The phone logs each morning (pain, stiffness on waking, sleep) and the nightly medication; the
laptop logs some evenings, the daily check-in, walks and a weekly physiotherapy session.

What the report's insights should find, planted here:
- three flare-ups (weeks 3, 7 and 10), each after two days of short sleep and high stress, with
  "poor sleep" and "stress" logged as suspected triggers on those days; other days log other
  triggers now and then, and poor sleep rarely;
- a sleep routine started at the start of week 6, after which pain runs about one point lower;
- amitriptyline raised from 10 mg to 25 mg in week 5.
Deterministic: run it again, get the same files. `--days N --out DIR` writes a longer journal
elsewhere (the pattern repeats every twelve weeks), for Tools/report-bench.
"""
import argparse
import json
import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

arguments = argparse.ArgumentParser()
arguments.add_argument("--days", type=int, default=84)
arguments.add_argument("--out")
options = arguments.parse_args()
random.seed(7)
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
OFFSET = timezone(timedelta(hours=1))
FIRST = date(2026, 8, 31)  # a Monday
DAYS = options.days
FLARE_UPS = [(14, 18), (44, 46), (66, 69)]
ROUTINE_DAY = 35
DOSE_DAY = 30


def new_id(prefix):
    return prefix + "-" + "".join(random.choice(ALPHABET) for _ in range(8))


def at(day, hour, minute=0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=OFFSET).isoformat()


def flaring(index):
    return any(first <= index % 84 <= last for first, last in FLARE_UPS)


def before_flare(index):
    """The two days before a flare-up: short nights and stress build up."""
    return any(first - 2 <= index % 84 < first for first, _ in FLARE_UPS)


phone, laptop = [], []
pill = {"id": new_id("t"), "type": "treatment", "kind": "medication", "name": "Amitriptyline",
        "class": "nerve pain", "dose": "10 mg", "schedule": "nightly", "started": at(FIRST, 21)}
walk = {"id": new_id("t"), "type": "treatment", "kind": "gentle movement", "name": "Evening walk",
        "schedule": "most days", "started": at(FIRST, 18)}
physio = {"id": new_id("t"), "type": "treatment", "kind": "physical therapy", "name": "Physio with Anna",
          "schedule": "Thursdays", "started": at(FIRST + timedelta(days=3), 10)}
routine = {"id": new_id("t"), "type": "treatment", "kind": "sleep measure", "name": "Sleep routine",
           "schedule": "nightly, lights out by 22:30", "started": at(FIRST + timedelta(days=ROUTINE_DAY), 21)}
phone.append(pill)
laptop += [walk, physio, routine]

# The words people use, stored as the Widespread Pain Index regions they mean (as flare log does).
CANONICAL = {"shoulders": ["left shoulder girdle", "right shoulder girdle"], "hips": ["left hip", "right hip"],
             "thighs": ["left upper leg", "right upper leg"]}


def canonical(words):
    return sorted({region for word in words for region in CANONICAL.get(word, [word])})


regions = ["neck", "shoulders", "upper back", "lower back", "hips", "thighs"]
for index in range(DAYS):
    day = FIRST + timedelta(days=index)
    bad = flaring(index)
    building = before_flare(index)
    better = index >= ROUTINE_DAY
    sleep = round(random.uniform(4, 5.5) if bad or building else random.uniform(5.8 if better else 5.5, 8), 1)
    pain = random.randint(7, 9) if bad else random.randint(3, 6) if building else random.randint(2, 5) if better else random.randint(3, 6)
    entry = {
        "id": new_id("s"), "type": "symptom", "at": at(day, random.randint(7, 8), random.choice([0, 15, 30, 45])),
        "pain": pain, "regions": canonical(["widespread"] if bad and pain >= 8 else random.sample(regions, random.randint(1, 3))),
        "qualities": sorted(random.sample(["aching", "deep soreness", "burning"], 2 if bad else 1)),
        "stiffness": min(10, pain + random.randint(0, 2)), "stiffness_timing": ["on waking"],
        "fatigue": min(10, pain + random.randint(-1, 2)), "sleep_hours": sleep,
        "sleep_quality": random.randint(2, 4) if bad else random.randint(5, 8), "flare": bad,
    }
    if building:
        entry["triggers"] = sorted(["poor sleep", "stress"] + (["cold weather"] if random.random() < 0.3 else []))
    elif bad:
        entry["triggers"] = sorted(random.sample(["poor sleep", "stress", "cold weather"], 2))
    elif random.random() < 0.15:
        entry["triggers"] = [random.choice(["long sitting", "weather change", "overexertion", "poor sleep"])]
    if bad:
        entry["note"] = random.choice(["woke very stiff, everything aches", "could barely get up, deep ache everywhere",
                                       "flare continues, foggy and tired"])
    elif random.random() < 0.3:
        entry["note"] = random.choice(["eased after a warm shower", "better morning", "stiff neck, fine by noon"])
    phone.append(entry)
    skipped = random.random() < 0.1
    dose = "25 mg" if index >= DOSE_DAY else "10 mg"
    phone.append({"id": new_id("e"), "type": "treatment-event", "treatment": pill["id"], "at": at(day, 22),
                  "status": "skipped" if skipped else "taken", **({} if skipped else {"dose": dose})})
    if index >= ROUTINE_DAY and random.random() < 0.85:
        phone.append({"id": new_id("e"), "type": "treatment-event", "treatment": routine["id"], "at": at(day, 22, 30),
                      "status": "done"})

    if random.random() < 0.55 or bad:
        evening = {
            "id": new_id("s"), "type": "symptom", "at": at(day, random.randint(19, 21), random.choice([0, 30])),
            "pain": max(0, pain + random.randint(-2, 1)), "regions": canonical(random.sample(regions, random.randint(1, 2))),
            "cognitive_fatigue": random.randint(6, 9) if bad else random.randint(2, 6),
            "stress": random.randint(6, 9) if bad or building else random.randint(1, 5), "flare": bad,
        }
        if random.random() < 0.4:
            evening["tenderness"] = random.randint(3, 8)
        laptop.append(evening)
    if not bad and random.random() < 0.7:
        laptop.append({"id": new_id("e"), "type": "treatment-event", "treatment": walk["id"], "at": at(day, 18, 30),
                       "status": "done", "effect": random.randint(4, 8)})
    if day.weekday() == 3:
        laptop.append({"id": new_id("e"), "type": "treatment-event", "treatment": physio["id"], "at": at(day, 10),
                       "status": "done", "effect": random.randint(5, 8), **({"side_effects": ["soreness"]} if index < 7 else {})})
    if index == DOSE_DAY:
        pill["dose"] = "25 mg"
        phone.append({"id": new_id("dc"), "type": "dose-change", "treatment": pill["id"], "at": at(day, 21),
                      "from": "10 mg", "dose": "25 mg", "note": "raised at the GP's suggestion"})
    laptop.append({"id": "check-in-" + day.isoformat(), "type": "check-in", "day": day.isoformat(),
                   "pain": pain, "sleep_hours": sleep, "stress": random.randint(6, 9) if bad or building else random.randint(1, 5),
                   "mood": random.randint(2, 4) if bad else random.randint(5, 8)})

out = Path(options.out) if options.out else Path(__file__).resolve().parent.parent / "seeds" / "demo"
out.mkdir(parents=True, exist_ok=True)
for name, records in [("phone", phone), ("laptop", laptop)]:
    (out / f"{name}.json").write_text(json.dumps({"records": records}, indent=2, sort_keys=True) + "\n")
    print(f"{name}: {len(records)} records")
