# Runs differential scenarios through python-nss (the original).
# stdin: a JSON list of Python snippets, run one after another in this
# process, or {"isolate": true, "snippets": [...]}, each run in a process of
# its own forked from this one (the original crashes on misuse), a few at a
# time. Each snippet assigns its result to `r`.
# stdout: a JSON list of results, one per snippet: "V <value>" for a value,
# "E <PR_NAME>" for an NSPRError, "X <ExceptionType>" for another exception,
# "CRASH signal: <name>" for a process killed by a signal.
import json
import os
import re
import select
import signal
import sys
import time
import warnings

warnings.simplefilter("ignore")
import nss.error
import nss.io as io

PARALLEL = 4  # isolated snippets running at once
LIMIT = 20.0  # seconds an isolated snippet may run before it is killed


def norm(v):
    if isinstance(v, bytes):
        return v.decode("latin-1")
    if isinstance(v, (list, tuple)):
        return "[" + " ".join(norm(x) for x in v) + "]"
    return str(v)


def run(code):
    ns = {"io": io}
    try:
        exec(code, ns)
        return "V " + norm(ns.get("r"))
    except nss.error.NSPRError as e:
        m = re.match(r"\((PR_[A-Z_]+)\)", str(e))
        return "E " + (m.group(1) if m else str(e.errno))
    except Exception as e:
        return "X " + type(e).__name__


def isolated(snippets):
    out = [None] * len(snippets)
    todo = list(range(len(snippets)))[::-1]
    running = {}  # pid: [index, read end, start, bytes read]
    while todo or running:
        while todo and len(running) < PARALLEL:
            i = todo.pop()
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(r)
                try:
                    data = run(snippets[i]).encode()
                    while data:
                        data = data[os.write(w, data):]
                finally:
                    os._exit(0)  # no interpreter teardown: it frees the original's objects
            os.close(w)
            running[pid] = [i, r, time.monotonic(), b""]
        ready, _, _ = select.select([c[1] for c in running.values()], [], [], 0.05)
        for c in running.values():
            if c[1] in ready:
                c[3] += os.read(c[1], 1 << 16)
        while running:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            i, r, _, buf = running.pop(pid)
            while True:
                chunk = os.read(r, 1 << 16)
                if not chunk:
                    break
                buf += chunk
            os.close(r)
            if os.WIFSIGNALED(status):
                out[i] = "CRASH signal: " + signal.strsignal(os.WTERMSIG(status)).lower()
            elif buf:
                out[i] = buf.decode()
            else:
                out[i] = "CRASH exit status %d" % os.WEXITSTATUS(status)
        for pid, c in running.items():
            if time.monotonic() - c[2] > LIMIT:
                os.kill(pid, signal.SIGKILL)
    return out


req = json.load(sys.stdin)
if isinstance(req, dict):
    out = isolated(req["snippets"])
else:
    out = [run(code) for code in req]
json.dump(out, sys.stdout)
