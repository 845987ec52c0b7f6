#!/usr/bin/env python3
"""gptme/gptme#2892 (https://github.com/gptme/gptme/issues/2892): the slot is released in a
`finally` block whose cleanup can raise first, so an agent that ends badly keeps its slot.

    python3 release_in_finally.py          # buggy: recording an errored result raises before the release
    python3 release_in_finally.py --fixed  # fixed: the release comes first and cannot be skipped
"""
import sys

from small_registry import SmallRegistry, serve


class ReleaseInFinallyBuggy(SmallRegistry):
    def on_status(self, t, status):
        if status in ("PendingInit", "Running"):
            return
        try:
            self.record_result(t, status)
        except ValueError:
            pass  # the runtime logs the error and carries on
        finally:
            pass

    def record_result(self, t, status):
        if status != "Completed":
            raise ValueError("no result to record for %s (%s)" % (t.id, status))  # BUG: raises before...
        self.release(t)  # ...the release, which only a clean completion reaches


class ReleaseInFinallyFixed(SmallRegistry):
    def on_status(self, t, status):
        if status in ("PendingInit", "Running"):
            return
        try:
            self.release(t)  # first, and in no path that can raise
        finally:
            pass


if __name__ == "__main__":
    fixed = "--fixed" in sys.argv
    serve(ReleaseInFinallyFixed if fixed else ReleaseInFinallyBuggy, "gptme-2892" + (" fixed" if fixed else ""))
