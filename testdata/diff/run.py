# Runs differential scenarios through python-nss (the original).
# stdin: a JSON list of Python snippets; each assigns its result to `r`.
# stdout: a JSON list of results, one per snippet: "V <value>" for a value,
# "E <PR_NAME>" for an NSPRError, "X <ExceptionType>" for another exception.
import json
import re
import sys
import warnings

warnings.simplefilter("ignore")
import nss.error
import nss.io as io


def norm(v):
    if isinstance(v, bytes):
        return v.decode("latin-1")
    if isinstance(v, (list, tuple)):
        return "[" + " ".join(norm(x) for x in v) + "]"
    return str(v)


out = []
for code in json.load(sys.stdin):
    ns = {"io": io}
    try:
        exec(code, ns)
        out.append("V " + norm(ns.get("r")))
    except nss.error.NSPRError as e:
        m = re.match(r"\((PR_[A-Z_]+)\)", str(e))
        out.append("E " + (m.group(1) if m else str(e.errno)))
    except Exception as e:
        out.append("X " + type(e).__name__)
json.dump(out, sys.stdout)
