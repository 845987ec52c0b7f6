"""A small registry for spawnsim in Python 3 (standard library only).

The protocol of docs/protocol.md (JSON lines on stdin/stdout) and the bookkeeping are done here;
a registry subclasses SmallRegistry and overrides its admission logic: check, acquire, release,
counted, on_status. Out of the box it is a correct registry: an agent holds a slot of its
session root while it runs (PendingInit or Running); depth and cap are checked. fork/create and
resume are not offered, so spawnsim answers UnsupportedOperation for them ("this runtime has
neither").

    serve(MyRegistry)   # at the end of your adapter
"""

import json
import sys
import traceback


class Thread:
    def __init__(self, id, root, depth, parent):
        self.id = id
        self.root = root
        self.depth = depth
        self.parent = parent
        self.children = []
        self.loaded = True


def refusal(error, message, limit=None):
    r = {"ok": False, "error": error, "message": message}
    if limit is not None:
        r["limit"] = limit
    return r


class SmallRegistry:
    def __init__(self, config):
        self.config = config
        self.max_threads = config["maxThreads"]
        self.max_depth = config["maxDepth"]
        self.threads = {}
        self.held = {}  # root -> list of agent ids holding a slot (insertion order)

    # ---- the admission logic: override these ----
    def check(self, caller):
        """None to admit a new agent of `caller`, or a refusal."""
        if caller.depth + 1 > self.max_depth:
            return refusal("DepthLimitReached", "depth limit %d reached" % self.max_depth)
        if self.counted(caller.root) >= self.max_threads:
            return refusal("AgentLimitReached", "all %d slots are taken" % self.max_threads, self.max_threads)
        return None

    def acquire(self, root, id):
        self.held.setdefault(root, [])
        if id not in self.held[root]:
            self.held[root].append(id)

    def release(self, t):
        slots = self.held.get(t.root, [])
        if t.id in slots:
            slots.remove(t.id)

    def counted(self, root):
        return len(self.held.get(root, []))

    def holds(self, t):
        return t.id in self.held.get(t.root, [])

    def on_status(self, t, status):
        if status not in ("PendingInit", "Running"):
            self.release(t)

    # ---- the contract, done ----
    def start_root(self, root):
        self.threads[root] = Thread(root, root, 0, None)
        self.held[root] = []

    def spawn(self, caller_id, child):
        caller = self.threads.get(caller_id)
        if caller is None or not caller.loaded:
            return refusal("ThreadNotFound", "caller %s is not running here" % caller_id)
        no = self.check(caller)
        if no is not None:
            return no
        self.threads[child] = Thread(child, caller.root, caller.depth + 1, caller.id)
        caller.children.append(child)
        self.acquire(caller.root, child)
        return {"ok": True, "depth": caller.depth + 1}

    def close(self, target):
        t = self.threads.get(target)
        if t is None or t.depth == 0 or not t.loaded:
            return refusal("ThreadNotFound", "agent %s not found" % target)
        shutdown = []

        def visit(x):
            if x.loaded:
                shutdown.append(x.id)
            x.loaded = False
            self.release(x)
            for c in x.children:
                visit(self.threads[c])

        visit(t)
        return {"ok": True, "shutdown": shutdown}

    def interrupt(self, target):
        t = self.threads.get(target)
        return {"ok": True} if t is not None and t.loaded else refusal("ThreadNotFound", "agent %s not found" % target)

    def send_input(self, target, delivery, queue_only):
        t = self.threads.get(target)
        if t is None or delivery != "ok":
            if t is not None:
                t.loaded = False
                self.release(t)
            return refusal("InternalAgentDied" if delivery == "died" else "ThreadNotFound", "agent %s is gone" % target)
        if not queue_only and t.depth > 0 and not self.holds(t):
            if self.counted(t.root) >= self.max_threads:
                return refusal("AgentLimitReached", "all %d slots are taken" % self.max_threads, self.max_threads)
            self.acquire(t.root, t.id)
        return {"ok": True, "startsTurn": not queue_only}

    def status_changed(self, thread, status):
        t = self.threads.get(thread)
        if t is not None and t.depth > 0:
            self.on_status(t, status)

    def thread_vanished(self, thread):
        t = self.threads.get(thread)
        if t is not None:
            t.loaded = False
            self.release(t)

    def snapshot(self):
        regs = []
        for t in self.threads.values():
            if t.depth != 0:
                continue
            ids = sorted(self.held.get(t.id, []))
            entries = [{"key": "root:" + t.id, "thread": t.id, "root": True}]
            entries += [{"key": "agent:" + i, "thread": i, "root": False} for i in ids]
            regs.append({"root": t.id, "cap": self.max_threads, "counted": self.counted(t.id), "entries": entries, "reservations": 0})
        return {"registries": regs}


OPS = ["hello", "create", "startRoot", "spawn", "close", "interrupt", "sendInput", "statusChanged", "threadVanished", "snapshot"]


def serve(registry_class, name=None):
    """Answers spawnsim's requests on stdin/stdout until end of input."""
    system = None
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    for line in sys.stdin:
        rid = None
        try:
            msg = json.loads(line)
            rid = msg.get("id")
            op, a = msg["op"], msg.get("args", {})
            if op == "hello":
                result = {"protocol": 1, "name": name or registry_class.__name__, "capabilities": {"ops": OPS, "spawnSteps": False}}
            elif op == "create":
                system, result = registry_class(a["config"]), None
            elif op == "startRoot":
                result = system.start_root(a["root"])
            elif op == "spawn":
                result = system.spawn(a["caller"], a["child"])
            elif op == "close":
                result = system.close(a["target"])
            elif op == "interrupt":
                result = system.interrupt(a["target"])
            elif op == "sendInput":
                result = system.send_input(a["target"], a["delivery"], bool(a.get("queueOnly", False)))
            elif op == "statusChanged":
                result = system.status_changed(a["thread"], a["status"])
            elif op == "threadVanished":
                result = system.thread_vanished(a["thread"])
            elif op == "snapshot":
                result = system.snapshot()
            else:
                raise ValueError("unknown op %r" % op)
            sys.stdout.write(dumps({"id": rid, "result": result}) + "\n")
        except Exception as e:  # a bug in the registry: reported by spawnsim as a system-error finding
            traceback.print_exc(file=sys.stderr)
            sys.stdout.write(dumps({"id": rid, "error": {"code": "internal", "message": "%s: %s" % (type(e).__name__, e)}}) + "\n")
        sys.stdout.flush()
