#!/usr/bin/env python3
"""Codex V1 (codex-cli 0.121.0, as at openai/codex#18335) as an external system for spawnsim.

A port of spawnsim's built-in model (src/systems/AgentRegistry.ts and src/systems/codexV1.ts)
that speaks the JSON-lines protocol of docs/protocol.md on stdin/stdout. Python 3 standard
library only. spawnsim's tests check that it reproduces the built-in verdicts and trace digests
on every scenario:

    spawnsim check --system exec:python3 examples/python/codex_v1.py

Options select the fix variants, as the built-in ids do:

    --release close-only|reap-on-reserve|on-final   (default close-only)
    --fork-policy fresh-root|inherit|deny-at-max-depth   (default fresh-root)
    --reap-stale                                    (#24903)
"""

import argparse
import json
import sys
import traceback

PROTOCOL_VERSION = 1
FINAL_EXCLUDED = ("PendingInit", "Running", "Interrupted")
DEPTH_MESSAGE = "Agent depth limit reached. Solve the task yourself."


def is_final(status):
    return status not in FINAL_EXCLUDED


class AgentLimitReached(Exception):
    def __init__(self, max_threads):
        super().__init__(max_threads)
        self.max_threads = max_threads


class AgentRegistry:
    """Codex's mainline AgentRegistry: counts committed non-root agents plus open reservations."""

    def __init__(self, root, cap):
        self.root = root
        self.cap = cap
        self.total = 0
        # key -> {"thread", "root"}; dicts keep insertion order, as a JS Map does
        self.tree = {}
        self.reservations = 0

    def reserve(self):
        if self.cap is not None and self.total >= self.cap:
            raise AgentLimitReached(self.cap)
        self.total += 1
        self.reservations += 1
        return SpawnReservation(self)

    def register_root(self, thread):
        if "/root" not in self.tree:
            self.tree["/root"] = {"thread": thread, "root": True}

    def release(self, thread):
        for key, e in self.tree.items():
            if e["thread"] == thread:
                del self.tree[key]
                if not e["root"]:
                    self.total -= 1
                    return True
                return False
        return False

    @staticmethod
    def key_for(thread):
        return "thread:" + thread

    def has(self, thread):
        return any(e["thread"] == thread for e in self.tree.values())

    def live_agents(self):
        return [e["thread"] for e in self.tree.values() if e["thread"] is not None and not e["root"]]

    def snapshot(self):
        entries = [{"key": k, "thread": e["thread"], "root": e["root"]} for k, e in self.tree.items()]
        entries.sort(key=lambda x: x["key"])
        return {"root": self.root, "cap": self.cap, "counted": self.total, "entries": entries, "reservations": self.reservations}


class SpawnReservation:
    def __init__(self, registry):
        self.registry = registry
        self.active = True

    def commit(self, thread):
        if not self.active:
            raise RuntimeError("reservation already settled")
        self.registry.tree[AgentRegistry.key_for(thread)] = {"thread": thread, "root": False}
        self.registry.reservations -= 1
        self.active = False

    def rollback(self):
        if not self.active:
            return
        self.registry.total -= 1
        self.registry.reservations -= 1
        self.active = False


def refuse(error, message):
    return {"ok": False, "error": error, "message": message}


class Thread:
    __slots__ = ("id", "scope", "depth", "parent", "is_root", "status", "loaded", "edge_open", "children", "seq")

    def __init__(self, id, scope, depth, parent, is_root, status, seq):
        self.id = id
        self.scope = scope
        self.depth = depth
        self.parent = parent
        self.is_root = is_root
        self.status = status
        self.loaded = True
        self.edge_open = True
        # spawn children: a dict used as an insertion-ordered set, like the model's Set
        self.children = {}
        # creation order: Codex thread ids are UUIDv7, and siblings are listed by id (D7)
        self.seq = seq


class CodexV1:
    def __init__(self, config, release, reap_stale, fork_policy):
        self.config = config
        self.release = release
        self.reap_stale = reap_stale
        self.fork_policy = fork_policy
        self.registries = {}
        self.threads = {}
        self.next_seq = 0

    def start_root(self, root):
        self._add_root(root)

    def spawn(self, caller, child, create_fails=False):
        steps = self.spawn_steps(caller, child, create_fails)
        while True:
            s = next(steps)
            if s["done"]:
                return s["value"]

    def spawn_steps(self, caller_id, child, create_fails=False):
        """Step 1 checks and reserves (a CAS in Codex); step 2 commits. Other calls may run between."""
        caller = self.threads.get(caller_id)
        if caller is None or not caller.loaded:
            yield {"done": True, "value": refuse("ThreadNotFound", "caller %s is not loaded" % caller_id)}
            return
        refused = self._collab_refusal(caller, "spawn_agent") or self._depth_refusal(caller)
        if refused is not None:
            yield {"done": True, "value": refused}
            return
        child_depth = caller.depth + 1
        reg = self.registries[caller.scope]
        r = self._reserve_in(reg)
        if isinstance(r, dict):
            yield {"done": True, "value": r}
            return
        yield {"done": False, "label": "reserve %s" % child}
        caller = self.threads[caller_id]
        reg = self.registries[caller.scope]
        if child_depth == 1:
            reg.register_root(caller.scope)
        if create_fails:
            r.rollback()
            yield {"done": True, "value": refuse("SpawnFailed", "collab spawn failed: creating %s failed after its slot was reserved" % child)}
            return
        r.commit(child)
        self._add_child(child, caller, child_depth)
        yield {"done": True, "value": {"ok": True, "depth": child_depth}}

    def fork(self, caller_id, child, kind):
        caller = self.threads.get(caller_id)
        if caller is None or not caller.loaded:
            return refuse("ThreadNotFound", "caller %s is not loaded" % caller_id)
        policy = self.fork_policy
        if policy == "deny-at-max-depth" and caller.depth >= self.config["maxDepth"]:
            return refuse("ToolUnavailable", "%s_thread is unavailable at depth %d (max_depth %d)" % (kind, caller.depth, self.config["maxDepth"]))
        if policy != "inherit":
            self._add_root(child)
            return {"ok": True, "depth": 0, "freshRoot": True}
        child_depth = caller.depth + 1
        if child_depth > self.config["maxDepth"]:
            return refuse("DepthLimitReached", DEPTH_MESSAGE)
        reg = self.registries[caller.scope]
        r = self._reserve_in(reg)
        if isinstance(r, dict):
            return r
        if child_depth == 1:
            reg.register_root(caller.scope)
        r.commit(child)
        self._add_child(child, caller, child_depth)
        return {"ok": True, "depth": child_depth, "freshRoot": False}

    def resume(self, caller_id, target_id):
        caller = self.threads.get(caller_id)
        if caller is None or not caller.loaded:
            return refuse("ThreadNotFound", "caller %s is not loaded" % caller_id)
        refused = self._collab_refusal(caller, "resume_agent") or self._depth_refusal(caller)
        if refused is not None:
            return refused
        child_depth = caller.depth + 1
        target = self.threads.get(target_id)
        if target is not None and target.loaded:
            return {"ok": True, "depth": target.depth, "restored": [], "skipped": [], "startsTurn": False}
        # D3: reserve and register the root before the rollout is looked up
        reg = self.registries[caller.scope]
        r = self._reserve_in(reg)
        if isinstance(r, dict):
            return r
        if child_depth == 1:
            reg.register_root(caller.scope)
        if target is None:
            r.rollback()
            return refuse("ThreadNotFound", "thread %s not found (no rollout)" % target_id)
        # commit overwrites the thread:{id} key: a vanished, still-counted entry is counted twice
        r.commit(target_id)
        self._detach_from_parent(target)
        target.scope = caller.scope
        target.depth = child_depth
        target.parent = caller.id
        target.is_root = False  # D5: a resumed fork root is a subagent of the caller's tree
        target.status = "PendingInit"
        target.loaded = True
        target.edge_open = True
        caller.children[target.id] = None
        restored, skipped, cycle = self._restore_tree(target, reg)
        if cycle is not None:
            return {"ok": "pending", "depth": child_depth, "restored": restored, "skipped": skipped, "cycle": cycle, "startsTurn": False,
                    "message": "resume_agent(%s) never returns: tree resume goes round the cycle of Open spawn edges %s for ever "
                               "(Codex 0.121.0 control.rs resume_agent_from_rollout: its BFS keeps no visited set)" % (target_id, ", ".join(cycle))}
        # No turn: V1 resume_agent takes only an id and gives the agent no input (resume_agent.rs).
        return {"ok": True, "depth": child_depth, "restored": restored, "skipped": skipped, "startsTurn": False}

    def _restore_tree(self, start, reg):
        """BFS over Open spawn edges in creation order; loaded children are queued again (no visited set in Codex)."""
        restored = []
        skipped = []
        queue = [(start, start.depth)]
        seen = {start.id}
        while queue:
            node, depth = queue.pop(0)
            for c in self._open_children(node):
                if c.id in seen:
                    return restored, skipped, self._cycle_through(node, c)
                if c.loaded:
                    seen.add(c.id)
                    queue.append((c, depth + 1))
                    continue
                r = self._reserve_in(reg)
                if isinstance(r, dict):
                    skipped.extend(self._open_subtree(c, set()))
                    continue
                if depth + 1 == 1:
                    reg.register_root(start.scope)
                r.commit(c.id)
                c.scope = start.scope
                c.depth = depth + 1
                c.is_root = False
                c.status = "PendingInit"
                c.loaded = True
                restored.append(c.id)
                seen.add(c.id)
                queue.append((c, depth + 1))
        return restored, skipped, None

    def _open_children(self, t):
        out = [self.threads[id] for id in t.children]
        out = [c for c in out if c.edge_open and c.parent == t.id]
        out.sort(key=lambda c: c.seq)
        return out

    def _cycle_through(self, parent, child):
        edges = ["%s -> %s" % (parent.id, child.id)]
        t = parent
        while t.id != child.id and t.parent is not None and len(edges) <= len(self.threads):
            p = self.threads[t.parent]
            edges.insert(0, "%s -> %s" % (p.id, t.id))
            t = p
        return edges

    def _open_subtree(self, t, seen):
        if t.id in seen:
            return []
        seen.add(t.id)
        out = [t.id]
        for c in self._open_children(t):
            out.extend(self._open_subtree(c, seen))
        return out

    def close(self, caller_id, target_id):
        caller = self.threads.get(caller_id)
        refused = self._collab_refusal(caller, "close_agent") if caller is not None else None
        if refused is not None:
            return refused
        target = self.threads.get(target_id)
        # D1: any thread id, a root included
        if target is None:
            return refuse("ThreadNotFound", "agent with id %s not found" % target_id)
        # D4: release in the caller's registry
        reg = self.registries[caller.scope if caller is not None else target.scope]
        if not target.loaded:
            if self.reap_stale and reg.has(target.id):
                target.edge_open = False
                reg.release(target.id)
                shutdown = []
                for d in self._live_descendants(target):
                    d.loaded = False
                    d.status = "Shutdown"
                    shutdown.append(d.id)
                    reg.release(d.id)
                    self._release_on_final(d)
                return {"ok": True, "shutdown": shutdown}
            return refuse("ThreadNotFound", "agent with id %s not found" % target_id)
        # close marks only the target's spawn edge Closed: descendants keep Open edges
        target.edge_open = False
        shutdown = []
        # D6: the target, then its loaded descendants only
        for t in [target] + self._live_descendants(target):
            if t.loaded:
                t.loaded = False
                t.status = "Shutdown"
                shutdown.append(t.id)
                self._release_on_final(t)
            reg.release(t.id)
        return {"ok": True, "shutdown": shutdown}

    def _live_descendants(self, t):
        out = []
        seen = {t.id}

        def visit(n):
            kids = [self.threads[id] for id in n.children]
            kids = [c for c in kids if c.loaded and c.parent == n.id and c.id not in seen]
            kids.sort(key=lambda c: c.seq)
            for c in kids:
                seen.add(c.id)
                out.append(c)
                visit(c)

        visit(t)
        return out

    def interrupt(self, caller_id, target_id):
        caller = self.threads.get(caller_id)
        refused = self._collab_refusal(caller, "send_input") if caller is not None else None
        if refused is not None:
            return refused
        target = self.threads.get(target_id)
        if target is None or not target.loaded:
            return refuse("ThreadNotFound", "agent with id %s not found" % target_id)
        return {"ok": True}

    def wait(self, caller_id, targets):
        caller = self.threads.get(caller_id)
        refused = self._collab_refusal(caller, "wait") if caller is not None else None
        return refused if refused is not None else {"ok": True}

    def send_input(self, caller_id, target_id, delivery, queue_only):
        caller = self.threads.get(caller_id)
        refused = self._collab_refusal(caller, "send_input") if caller is not None else None
        if refused is not None:
            return refused
        target = self.threads.get(target_id)
        if target is None or delivery == "not-found":
            if target is not None:
                target.loaded = False
            return refuse("ThreadNotFound", "agent with id %s not found" % target_id)
        if delivery == "died":
            target.loaded = False
            target.status = "Shutdown"
            # D4: the InternalAgentDied cleanup releases in the caller's registry
            self.registries[caller.scope if caller is not None else target.scope].release(target.id)
            self._release_on_final(target)
            return refuse("InternalAgentDied", "agent with id %s is closed" % target_id)
        if not target.is_root and self.release != "close-only":
            reg = self.registries[target.scope]
            if not reg.has(target.id):
                r = self._reserve_in(reg)
                if isinstance(r, dict):
                    return r
                r.commit(target.id)
        return {"ok": True, "startsTurn": not queue_only}

    def status_changed(self, thread, status):
        t = self.threads.get(thread)
        if t is None:
            return
        t.status = status
        if is_final(status):
            self._release_on_final(t)

    def _release_on_final(self, t):
        # F-A: a final status (a shutdown too) gives the slot back in the registry that counts
        # the agent, whatever registry the shipped close released it in (D4)
        if self.release == "on-final" and not t.is_root:
            self.registries[t.scope].release(t.id)

    def thread_vanished(self, thread):
        t = self.threads.get(thread)
        if t is None:
            return
        t.loaded = False
        self.status_changed(thread, "NotFound")

    def snapshot(self):
        return {"registries": [reg.snapshot() for reg in self.registries.values()]}

    def _collab_refusal(self, caller, tool):
        """D2: at depth >= max_depth the Collab feature (all five V1 tools) is off."""
        max_depth = self.config["maxDepth"]
        if not caller.is_root and caller.depth >= max_depth:
            return refuse("ToolUnavailable", "%s is not available to an agent at depth %d (max_depth %d: the Collab tools are disabled in its config)" % (tool, caller.depth, max_depth))
        return None

    def _depth_refusal(self, caller):
        if caller.depth + 1 > self.config["maxDepth"]:
            return refuse("DepthLimitReached", DEPTH_MESSAGE)
        return None

    def _reserve_in(self, reg):
        try:
            return reg.reserve()
        except AgentLimitReached as e:
            if self.release == "reap-on-reserve":
                for id in reg.live_agents():
                    t = self.threads.get(id)
                    if t is not None and is_final(t.status):
                        reg.release(id)
                try:
                    return reg.reserve()
                except AgentLimitReached:
                    pass
            return {"ok": False, "error": "AgentLimitReached", "message": "collab spawn failed: agent thread limit reached", "limit": e.max_threads}

    def _add_root(self, id):
        self.registries[id] = AgentRegistry(id, self.config["maxThreads"])
        self.threads[id] = Thread(id, id, 0, None, True, "Running", self.next_seq)
        self.next_seq += 1

    def _add_child(self, id, caller, depth):
        self.threads[id] = Thread(id, caller.scope, depth, caller.id, False, "PendingInit", self.next_seq)
        self.next_seq += 1
        caller.children[id] = None

    def _detach_from_parent(self, t):
        if t.parent is None:
            return
        p = self.threads.get(t.parent)
        if p is not None:
            p.children.pop(t.id, None)


class ProtocolError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


OPS = ["hello", "create", "startRoot", "spawn", "spawnBegin", "step", "fork", "resume", "close",
       "interrupt", "wait", "sendInput", "statusChanged", "threadVanished", "turnStarted", "turnEnded", "snapshot"]


class Server:
    def __init__(self, options):
        self.options = options
        self.system = None
        self.steps = {}
        self.next_handle = 0

    def implements(self):
        o = self.options
        base = {"close-only": "codex-v1", "reap-on-reserve": "codex-v1-reap-on-reserve", "on-final": "codex-v1-release-on-final"}[o.release]
        if o.reap_stale:
            base = "codex-v1-reap-stale"
        return base if o.fork_policy == "fresh-root" else "%s+%s" % (base, o.fork_policy)

    def sut(self):
        if self.system is None:
            raise ProtocolError("bad-request", "no system: send create first")
        return self.system

    def handle(self, op, a):
        if op == "hello":
            return {"protocol": PROTOCOL_VERSION, "name": "codex-v1 (python reference adapter)", "implements": self.implements(),
                    "capabilities": {"ops": OPS, "spawnSteps": True}}
        if op == "create":
            o = self.options
            self.system = CodexV1(a["config"], o.release, o.reap_stale, o.fork_policy)
            self.steps = {}
            return None
        s = self.sut()
        if op == "startRoot":
            return s.start_root(a["root"])
        if op == "spawn":
            return s.spawn(a["caller"], a["child"], bool(a.get("createFails", False)))
        if op == "spawnBegin":
            self.next_handle += 1
            handle = "s%d" % self.next_handle
            self.steps[handle] = s.spawn_steps(a["caller"], a["child"], bool(a.get("createFails", False)))
            return {"handle": handle}
        if op == "step":
            gen = self.steps.get(a["handle"])
            if gen is None:
                raise ProtocolError("bad-request", "no open spawn with handle %s" % a["handle"])
            r = next(gen)
            if r["done"]:
                del self.steps[a["handle"]]
            return r
        if op == "fork":
            return s.fork(a["caller"], a["child"], a["kind"])
        if op == "resume":
            return s.resume(a["caller"], a["target"])
        if op == "close":
            return s.close(a["caller"], a["target"])
        if op == "interrupt":
            return s.interrupt(a["caller"], a["target"])
        if op == "wait":
            return s.wait(a["caller"], a["targets"])
        if op == "sendInput":
            return s.send_input(a["caller"], a["target"], a["delivery"], bool(a.get("queueOnly", False)))
        if op == "statusChanged":
            return s.status_changed(a["thread"], a["status"])
        if op == "threadVanished":
            return s.thread_vanished(a["thread"])
        if op in ("turnStarted", "turnEnded"):
            return None
        if op == "snapshot":
            return s.snapshot()
        raise ProtocolError("unsupported", "unknown op %r" % op)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--release", choices=["close-only", "reap-on-reserve", "on-final"], default="close-only")
    p.add_argument("--fork-policy", choices=["fresh-root", "inherit", "deny-at-max-depth"], default="fresh-root")
    p.add_argument("--reap-stale", action="store_true")
    server = Server(p.parse_args())
    out = sys.stdout
    dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    while True:
        line = sys.stdin.readline()
        if not line:
            return  # EOF: spawnsim is done with us
        rid = None
        try:
            msg = json.loads(line)
            rid = msg.get("id")
            result = server.handle(msg["op"], msg.get("args", {}))
            out.write(dumps({"id": rid, "result": result}) + "\n")
        except ProtocolError as e:
            out.write(dumps({"id": rid, "error": {"code": e.code, "message": str(e)}}) + "\n")
        except Exception as e:  # a bug in the model: a typed internal error, details on stderr
            traceback.print_exc(file=sys.stderr)
            out.write(dumps({"id": rid, "error": {"code": "internal", "message": "%s: %s" % (type(e).__name__, e)}}) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
