"""Branch weight out of distribution: So8res's objection to counterfactual objectives as one number.

For an objective linear in its atoms, J = Σ_t w_t·A_t, each atom whose branch intervenes
(do(X=x), or the do of observed(C) >> do(X=x)) belongs to the branch that forces the joint
assignment X = x.  A branch's weight is Σ |w_t| over its atoms; its joint propensity under π is
ρ = P_π(X = x) in the factual world (P_π(X = x | C) for a counterfactual branch).  The share of
branch weight out of distribution is Σ_{ρ < ε} weight / Σ weight.  With n humans and one branch
per joint wish the branch count is 2^n and, however likely each single wish is, most joint wishes
are rare: the share grows with n although no single do(H_i = ·) is out of distribution.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from corrig.analysis import flags as fl
from corrig.model.errors import ZeroProbabilityCondition
from corrig.objectives.terms import Atom, Constant, Product, Sum, Term

OOD_BRANCH_WEIGHT = "ood-branch-weight"


def linear_weights(term: Term) -> dict[Atom, Any] | None:
    """{atom: coefficient} when the term is a linear combination of atoms (plus constants), else None."""
    if isinstance(term, Atom):
        return {term: sp.Integer(1)}
    if isinstance(term, Constant):
        return {}
    if isinstance(term, Sum):
        total: dict[Atom, Any] = {}
        for part in term.terms:
            weights = linear_weights(part)
            if weights is None:
                return None
            for atom, w in weights.items():
                total[atom] = total.get(atom, 0) + w
        return total
    if isinstance(term, Product):
        factor: Any = sp.Integer(1)
        inner: dict[Atom, Any] | None = None
        for part in term.terms:
            if isinstance(part, Constant):
                factor = factor * part.value
            elif inner is None:
                inner = linear_weights(part)
                if inner is None:
                    return None
            else:
                return None
        return {a: factor * w for a, w in (inner or {}).items()}
    return None


def _forced(atom: Atom) -> tuple[tuple[tuple[str, Any], ...], Any] | None:
    branch = atom.branch
    if branch.counterfactual is not None:
        return branch.counterfactual.intervention.assignment, branch.counterfactual.observation
    if branch.do is not None:
        return branch.do.assignment, None
    return None


def branch_weights(run: Any, utility: Term) -> list[dict[str, Any]] | None:
    """Each intervening branch: its forced assignment, weight Σ|w_t| and joint propensity ρ under the run's policy."""
    weights = linear_weights(utility)
    if weights is None:
        return None
    branches: dict[tuple, dict[str, Any]] = {}
    for atom, w in weights.items():
        forced = _forced(atom)
        if forced is None:
            continue
        entry = branches.setdefault(forced, {"assignment": dict(forced[0]), "observed": forced[1], "weight": 0})
        entry["weight"] = entry["weight"] + abs(w)
    world = run.world
    for (assignment, observation), entry in branches.items():
        nodes = [k for k, _ in assignment]
        given = observation.resolve(world) if observation is not None else None
        try:
            dist = run.dist(nodes, given=given)
        except ZeroProbabilityCondition:
            dist = {}
        key = tuple(v for _, v in assignment)
        entry["propensity"] = dist.get(key, sp.Integer(0))
        entry["branch"] = ("observed(...) >> " if observation is not None else "") + \
            "do(" + ", ".join(f"{k}={v!r}" for k, v in assignment) + ")"
    return list(branches.values())


def ood_share(run: Any, utility: Term, eps: Any) -> tuple[int, Any, list[dict[str, Any]]] | None:
    """(branch count, share of branch weight with joint propensity < ε, the branches); None if J is not linear."""
    branches = branch_weights(run, utility)
    if branches is None:
        return None
    total = sum((b["weight"] for b in branches), sp.Integer(0))
    if not branches or fl.is_zero(total):
        return len(branches), sp.Integer(0), branches
    symbolic = fl.is_symbolic(eps) or any(fl.is_symbolic(b["propensity"]) or fl.is_symbolic(b["weight"])
                                          for b in branches)
    outside: Any = sp.Integer(0)
    for b in branches:
        if symbolic:
            outside += b["weight"] * sp.Piecewise((1, sp.Lt(b["propensity"], eps)), (0, True))
        elif fl.compare("<", b["propensity"], eps) is True:
            outside += b["weight"]
    share = outside / total
    if isinstance(share, sp.Basic) and share.is_number and share.has(sp.Float):
        share = float(share)
    return len(branches), share, branches


def branch_weight_flag(name: str, run: Any, utility: Term, eps: Any) -> fl.Flag | None:
    """ood-branch-weight: the share of the objective's branch weight on jointly rare forced assignments."""
    found = ood_share(run, utility, eps)
    if found is None:
        return None
    count, share, branches = found
    rare = [{"branch": b["branch"], "propensity": b["propensity"], "weight": b["weight"]} for b in branches
            if fl.compare("<", b["propensity"], eps) is not False]
    return fl._flag(
        OOD_BRANCH_WEIGHT, name, f"{count} intervening branches", share, fl.compare(">", share, 0),
        f"{fl.show(share)} of the objective's branch weight sits on {len(rare)} of its {count} branches whose forced "
        f"assignment this policy's world produces with probability < ε = {fl.show(eps)}: the objective is mostly "
        f"about situations that do not happen.",
        branches=count, share=share, rare_branches=rare, eps=eps, measure="share of branch weight with propensity < ε")
