"""An independent model of spawnsim plan's nested sinas-90 workload in SimPy 3 (Debian's
python3-simpy3), for bench/plan-simpy.mjs: the same pool, the same programs, its own random
numbers. Reads one JSON document of parameters on stdin, writes one JSON document on stdout.

The model (docs/plan.md, "Nested work"): a pool of `cap` units, first come first served. The root
submits N questions one spawn call at a time; a spawn asks for a unit when the call starts, and
the agent starts when the call has returned (its latency) and it holds a unit. A question works
`before`, spawns its children one call at a time, waits for all of them while it keeps its unit,
works `after` and ends (its unit is freed). A child works `child` and ends. A question still
running `timeout` after its spawn call is closed: its unit and its children's are freed (a queued
request is withdrawn). Latencies: lognormal (median, p95) clamped at max.
"""
import json
import math
import random
import sys
import time

import simpy

Z95 = 1.6448536269514722


def run(p):
    rng = random.Random(p["seed"])
    sigma = math.log(p["lat"]["p95"] / p["lat"]["median"]) / Z95

    def latency():
        return min(p["lat"]["median"] * math.exp(sigma * rng.gauss(0.0, 1.0)), p["lat"]["max"])

    results = []
    cpu0 = time.process_time()
    for rep in range(p["reps"]):
        env = simpy.Environment()
        pool = simpy.Resource(env, capacity=p["cap"])
        s = {"timedOut": 0, "open": p["N"], "end": 0.0}

        class Agent:
            def __init__(self):
                self.req = pool.request()
                self.closed = False
                self.done = False
                self.children = []
                self.finished = env.event()

            def free(self):
                if self.req.triggered:
                    pool.release(self.req)
                else:
                    self.req.cancel()

            def close(self):
                if self.closed or self.done:
                    return
                self.closed = True
                self.free()
                for c in self.children:
                    c.close()

        def child(a, lat):
            yield env.timeout(lat) & a.req
            if a.closed:
                return
            yield env.timeout(p["child"])
            if a.closed:
                return
            a.done = True
            pool.release(a.req)
            a.finished.succeed()

        def question(a, lat):
            yield env.timeout(lat) & a.req
            if a.closed:
                return
            yield env.timeout(p["before"])
            for _ in range(p["fanout"]):
                if a.closed:
                    return
                c = Agent()
                a.children.append(c)
                clat = latency()
                env.process(child(c, clat))
                yield env.timeout(clat)
            if a.closed:
                return
            yield simpy.AllOf(env, [c.finished for c in a.children])
            if a.closed:
                return
            yield env.timeout(p["after"])
            if a.closed:
                return
            a.done = True
            pool.release(a.req)
            ended()

        def ended():
            s["open"] -= 1
            if s["open"] == 0:
                s["end"] = env.now

        def deadline(a):
            yield env.timeout(p["timeout"])
            if not a.done and not a.closed:
                s["timedOut"] += 1
                a.close()
                ended()

        def root():
            for _ in range(p["N"]):
                a = Agent()
                lat = latency()
                env.process(question(a, lat))
                env.process(deadline(a))
                yield env.timeout(lat)

        env.process(root())
        env.run()
        results.append([s["timedOut"], s["end"]])
    cpu = time.process_time() - cpu0
    return {"N": p["N"], "reps": p["reps"], "cpu_s": cpu, "sessions": results}


if __name__ == "__main__":
    params = json.load(sys.stdin)
    out = [run(dict(params, N=n, seed=params["seed"] * 1000 + n)) for n in params["Ns"]]
    json.dump({"simpy": simpy.__version__, "points": out}, sys.stdout)
