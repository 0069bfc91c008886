#!/usr/bin/env python3
"""Writes seeds/demo/phone.json and seeds/demo/laptop.json: four weeks of a plausible journal
kept on two devices, in the format of `flare export --format json`, for `flare import`.

The phone logs each morning (pain, stiffness on waking, sleep) and the nightly medication; the
laptop logs some evenings, the daily check-in, walks and a weekly physiotherapy session. The
third week has a flare-up after poor sleep and stress. Deterministic: run it again, get the same
files.
"""
import json
import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

random.seed(7)
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
OFFSET = timezone(timedelta(hours=1))
FIRST = date(2026, 10, 26)  # a Monday
DAYS = 28


def new_id(prefix):
    return prefix + "-" + "".join(random.choice(ALPHABET) for _ in range(8))


def at(day, hour, minute=0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=OFFSET).isoformat()


def flaring(index):
    return 14 <= index <= 18


phone, laptop = [], []
pill = {"id": new_id("t"), "type": "treatment", "kind": "medication", "name": "Amitriptyline",
        "class": "nerve pain", "dose": "10 mg", "schedule": "nightly", "started": at(FIRST, 21)}
walk = {"id": new_id("t"), "type": "treatment", "kind": "gentle movement", "name": "Evening walk",
        "schedule": "most days", "started": at(FIRST, 18)}
physio = {"id": new_id("t"), "type": "treatment", "kind": "physical therapy", "name": "Physio with Anna",
          "schedule": "Thursdays", "started": at(FIRST + timedelta(days=3), 10)}
phone.append(pill)
laptop += [walk, physio]

regions = ["neck", "shoulders", "upper back", "lower back", "hips", "thighs"]
for index in range(DAYS):
    day = FIRST + timedelta(days=index)
    bad = flaring(index)
    sleep = round(random.uniform(4, 5.5) if bad else random.uniform(5.5, 8), 1)
    pain = random.randint(7, 9) if bad else random.randint(2, 6)
    entry = {
        "id": new_id("s"), "type": "symptom", "at": at(day, random.randint(7, 8), random.choice([0, 15, 30, 45])),
        "pain": pain, "regions": sorted(["widespread"] if bad and pain >= 8 else random.sample(regions, random.randint(1, 3))),
        "qualities": sorted(random.sample(["aching", "deep soreness", "burning"], 2 if bad else 1)),
        "stiffness": min(10, pain + random.randint(0, 2)), "stiffness_timing": ["on waking"],
        "fatigue": min(10, pain + random.randint(-1, 2)), "sleep_hours": sleep,
        "sleep_quality": random.randint(2, 4) if bad else random.randint(5, 8), "flare": bad,
    }
    if bad:
        entry["triggers"] = sorted(random.sample(["poor sleep", "stress", "cold weather"], 2))
        entry["note"] = random.choice(["woke very stiff, everything aches", "could barely get up, deep ache everywhere",
                                       "flare continues, foggy and tired"])
    elif random.random() < 0.3:
        entry["note"] = random.choice(["eased after a warm shower", "better morning", "stiff neck, fine by noon"])
    phone.append(entry)
    skipped = random.random() < 0.1
    phone.append({"id": new_id("e"), "type": "treatment-event", "treatment": pill["id"], "at": at(day, 22),
                  "status": "skipped" if skipped else "taken", **({} if skipped else {"dose": "10 mg"})})

    if random.random() < 0.55 or bad:
        evening = {
            "id": new_id("s"), "type": "symptom", "at": at(day, random.randint(19, 21), random.choice([0, 30])),
            "pain": max(0, pain + random.randint(-2, 1)), "regions": sorted(random.sample(regions, random.randint(1, 2))),
            "cognitive_fatigue": random.randint(6, 9) if bad else random.randint(2, 6),
            "stress": random.randint(6, 9) if bad else random.randint(1, 5), "flare": bad,
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
    laptop.append({"id": "check-in-" + day.isoformat(), "type": "check-in", "day": day.isoformat(),
                   "pain": pain, "sleep_hours": sleep, "stress": random.randint(6, 9) if bad else random.randint(1, 5),
                   "mood": random.randint(2, 4) if bad else random.randint(5, 8)})

out = Path(__file__).resolve().parent.parent / "seeds" / "demo"
out.mkdir(parents=True, exist_ok=True)
for name, records in [("phone", phone), ("laptop", laptop)]:
    (out / f"{name}.json").write_text(json.dumps({"records": records}, indent=2, sort_keys=True) + "\n")
    print(f"{name}: {len(records)} records")
