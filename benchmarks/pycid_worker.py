"""Runs inside PyCID's own virtualenv (pgmpy 0.1.17, pygambit): never imports corrig.

Reads one JSON request on standard input:
    {"nodes": [...family nodes...], "task": "solve" | "evaluate", "policy": {...} (evaluate), "repeat": n,
     "memory": bool}
and prints one JSON line: {"value": float, "seconds": [...], "peak_bytes": int | null, "pycid": version}.
Peak memory (tracemalloc) comes from one extra, untimed run.
Building the CID is not timed; `solve` times impute_optimal_policy() + expected_utility({}),
`evaluate` times expected_utility({}) with the policy's rules as decision CPDs.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import tracemalloc
import warnings


def _function(parents, lookup):
    """A function whose argument names are the parents (PyCID reads them), looking its value up by context."""
    args = ", ".join(parents)
    source = f"lambda {args}: _lookup(({args}{',' if len(parents) == 1 else ''}))"
    return eval(source, {"_lookup": lookup})  # the parents are the family's own node names


def build(nodes, policy=None):
    import pycid

    edges = [(p, n["name"]) for n in nodes for p in n["parents"]]
    decisions = [n["name"] for n in nodes if n["kind"] == "decision"]
    utilities = [n["name"] for n in nodes if n["kind"] == "utility"]
    cid = pycid.CID(edges, decisions=decisions, utilities=utilities)
    cpds = {}
    for n in nodes:
        name, parents, states = n["name"], n["parents"], n["states"]
        table = {tuple(ctx): value for ctx, value in n["table"]}
        if n["kind"] == "chance":
            def lookup(ctx, table=table, states=states):
                return dict(zip(states, table[tuple(ctx)], strict=True))
            cpds[name] = _function(parents, lookup)
        elif n["kind"] == "utility":
            def value(ctx, table=table):
                return table[tuple(ctx)]
            cpds[name] = _function(parents, value)
        elif policy is not None:
            rule = {tuple(ctx): s for ctx, s in policy[name]}
            def choose(ctx, rule=rule):
                return rule[tuple(ctx)]
            cpds[name] = _function(parents, choose)
        else:
            cpds[name] = list(states)
    cid.add_cpds(**cpds)
    return cid


def _run(request, cid):
    if request["task"] == "solve":
        cid.impute_optimal_policy()
    return float(cid.expected_utility({}))


def main() -> None:
    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")
    request = json.loads(sys.stdin.read())
    import pycid

    policy = request.get("policy") if request["task"] == "evaluate" else None
    seconds, value, peak = [], None, None
    for _ in range(request.get("repeat", 1)):
        cid = build(request["nodes"], policy)
        start = time.perf_counter()
        value = _run(request, cid)
        seconds.append(time.perf_counter() - start)
    if request.get("memory"):
        cid = build(request["nodes"], policy)
        tracemalloc.start()
        _run(request, cid)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    print(json.dumps({"value": value, "seconds": seconds, "peak_bytes": peak,
                      "pycid": getattr(pycid, "__version__", "?")}))


if __name__ == "__main__":
    main()
