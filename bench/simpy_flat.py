"""The acceptance model of `spawnsim plan` (codex-default on codex-v1 and
codex-v1-release-on-final) in SimPy 3, for bench/plan.mjs: plan's speed against a
general-purpose discrete-event simulator on the same model.

Reads from stdin a JSON document: {caps, forgetRates, compactionRate, latency, turnGap,
waitTimeout, sessions: [[turn, ...], ...]} where a turn is {k, run, forget, compaction, timeout}
(the sessions plan samples, drawn by bench/plan-hand-loop.mjs from the same seeded streams), and
writes the per-point sums and the CPU seconds of the simulation (process_time, start-up and
JSON excluded).

One SimPy process per agent (it runs, then ends unless closed first) and one per root turn (its
spawn, wait and close calls, each followed by the call latency); a turn timeout interrupts the
turn's process. Python 3 with Debian's python3-simpy3 (SimPy 3.0).
"""
import json
import sys
import time

import simpy


def run_session(turns, cap, forget_rate, comp_rate, on_final, L, turn_gap, wait_for, sums):
    env = simpy.Environment()
    st = {"live": 0, "held": 0, "agent_time": 0, "attempts": 0, "refused": 0, "false": 0,
          "wedge": False, "leaked": 0, "idle_prev": 0, "peak": 0}
    agents = []  # every accepted agent: dict(start, live, held, done event)

    def agent(a, run):
        yield env.timeout(run)
        if a["live"]:
            a["live"] = False
            st["live"] -= 1
            st["agent_time"] += env.now - a["start"]
            if on_final and a["held"]:
                a["held"] = False
                st["held"] -= 1
            a["done"].succeed()

    def boundary():
        idle = max(0, st["held"] - st["live"])
        if idle > st["idle_prev"]:
            st["leaked"] += idle - st["idle_prev"]
        st["idle_prev"] = idle

    def turn_calls(turn):
        k = turn["k"]
        acc = [None] * k
        attempts = stuck = 0
        try:
            for j in range(k):
                st["attempts"] += 1
                attempts += 1
                if st["held"] >= cap:
                    st["refused"] += 1
                    if st["live"] < cap:
                        st["false"] += 1
                    if st["live"] == 0:
                        stuck += 1
                else:
                    a = {"start": env.now, "live": True, "held": True, "done": env.event()}
                    agents.append(a)
                    st["held"] += 1
                    st["live"] += 1
                    st["peak"] = max(st["peak"], st["live"])
                    acc[j] = a
                    env.process(agent(a, turn["run"][j] or 5000))
                yield env.timeout(L)
            if attempts > 0 and stuck == attempts:
                st["wedge"] = True
            dropped = 0
            for j, u in enumerate(turn["compaction"]):
                if u < comp_rate:
                    dropped = j
            waiting = [j for j in range(dropped, k)]
            while waiting:
                finals = [j for j in waiting if acc[j] is None or not acc[j]["live"]]
                if finals:
                    waiting = [j for j in waiting if j not in finals]
                    yield env.timeout(L)
                    continue
                timeout = env.timeout(wait_for)
                yield env.any_of([acc[j]["done"] for j in waiting] + [timeout])
                ended = [j for j in waiting if not acc[j]["live"]]
                if not ended:
                    waiting = []
                else:
                    waiting = [j for j in waiting if j not in ended]
                yield env.timeout(L)
            for j in range(dropped, k):
                if turn["forget"][j] < forget_rate:
                    continue
                a = acc[j]
                if a is not None:
                    if a["live"]:
                        a["live"] = False
                        st["live"] -= 1
                        st["agent_time"] += env.now - a["start"]
                    if a["held"]:
                        a["held"] = False
                        st["held"] -= 1
                yield env.timeout(L)
        except simpy.Interrupt:
            if attempts > 0 and stuck == attempts:
                st["wedge"] = True

    def root():
        for i, turn in enumerate(turns):
            if i > 0:
                boundary()
            calls = env.process(turn_calls(turn))
            if turn["timeout"] >= 0:
                deadline = env.timeout(turn["timeout"])
                yield calls | deadline
                if not calls.triggered:
                    calls.interrupt()
                    yield calls
            else:
                yield calls
            if i + 1 < len(turns):
                yield env.timeout(turn_gap)

    env.process(root())
    env.run()
    boundary()
    sums["sessions"] += 1
    sums["attempts"] += st["attempts"]
    sums["refused"] += st["refused"]
    sums["falseRefused"] += st["false"]
    sums["wedged"] += 1 if st["wedge"] else 0
    sums["leakSessions"] += 1 if st["leaked"] > 0 else 0
    sums["utilisation"] += st["agent_time"] / (cap * env.now) if cap > 0 and env.now > 0 else 0


def main():
    doc = json.load(sys.stdin)
    points = []
    for on_final in (False, True):
        for cap in doc["caps"]:
            for f in doc["forgetRates"]:
                points.append({"system": "codex-v1-release-on-final" if on_final else "codex-v1", "cap": cap, "forgetRate": f, "onFinal": on_final,
                               "sums": {"sessions": 0, "attempts": 0, "refused": 0, "falseRefused": 0, "wedged": 0, "leakSessions": 0, "utilisation": 0.0}})
    t0 = time.process_time()
    for turns in doc["sessions"]:
        for p in points:
            run_session(turns, p["cap"], p["forgetRate"], doc["compactionRate"], p["onFinal"], doc["latency"], doc["turnGap"], doc["waitTimeout"], p["sums"])
    cpu = time.process_time() - t0
    for p in points:
        del p["onFinal"]
    json.dump({"cpu": cpu, "points": points}, sys.stdout)


if __name__ == "__main__":
    main()
