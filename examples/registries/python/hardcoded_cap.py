#!/usr/bin/env python3
"""topcheer/ggcode#226 (https://github.com/topcheer/ggcode/issues/226): a hard-coded limit of 5
overrides the configured max_concurrent (10 there), so the configured cap is not the one enforced.

    python3 hardcoded_cap.py          # buggy: the cap is a constant 5, whatever the config says
    python3 hardcoded_cap.py --fixed  # fixed: the configured max_threads is the cap
"""
import sys

from small_registry import SmallRegistry, refusal, serve

HARD_CODED_CAP = 5


class HardCodedCap(SmallRegistry):
    def check(self, caller):
        if caller.depth + 1 > self.max_depth:
            return refusal("DepthLimitReached", "depth limit %d reached" % self.max_depth)
        if self.counted(caller.root) >= HARD_CODED_CAP:  # BUG: the constant wins over the config
            return refusal("AgentLimitReached", "all %d slots are taken" % HARD_CODED_CAP, HARD_CODED_CAP)
        return None


if __name__ == "__main__":
    serve(SmallRegistry if "--fixed" in sys.argv else HardCodedCap, "ggcode-226" + (" fixed" if "--fixed" in sys.argv else ""))
