"""Mixed policies: the best mixture of a small support of candidate policies, found exactly with sympy.

A mixture λ of the support policies σ_1..σ_k (λ in the simplex) draws σ_j with probability λ_j before
anything happens (ex-ante randomisation).  Each atom of the objective then has the exact value
Σ_j λ_j N_j / Σ_j λ_j D_j, where D_j is σ_j's probability of the atom's condition (given(...) or the
observation of a counterfactual; 1 without one) and N_j = D_j·A_j its unnormalised value.  The
objective is evaluated on these atom values, so it can be any term: linear objectives are linear in λ
(a pure policy is among the best), a Nash product or a maximin is not.

The search is exact: on every face of the simplex (every non-empty subset of the support) it collects
the vertices, the stationary points of the objective in the face's interior (sympy solve; for a Nash
product the stationary points of Σ w_i log(J_i − d_i)), and for a maximin also the points where as
many parts as the face has vertices are equal.  The best candidate wins (ties: the first found, vertices
first).  For a maximin whose parts are not linear in λ, a kink with fewer equal parts than that is not
searched; every other case (polynomial or rational objectives, Nash products) is covered.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from corrig.analysis import flags as fl
from corrig.model.errors import CorrigError, PolicyError
from corrig.model.policies import Policy
from corrig.objectives.aggregate import Maximin, Nash
from corrig.objectives.terms import Atom, P, Term

MIX_SUPPORT_LIMIT = 4


@dataclass
class Mixture:
    """The best mixture found: its support, weights, value and how many candidate points were compared."""

    support: list[str]
    weights: dict[str, Any]
    value: Any
    candidates: int
    faces: int
    unsolved: list[list[str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        """A readable name, e.g. "mix(O=1: 1/2, O=2: 1/2)"."""
        used = [(n, w) for n, w in self.weights.items() if w != 0]
        return "mix(" + ", ".join(f"{n}: {w}" for n, w in used) + ")"

    @property
    def pure(self) -> bool:
        """True when the best mixture puts all its weight on one policy."""
        return sum(1 for w in self.weights.values() if w != 0) == 1


def _denominator(run: Any, atom: Atom) -> Any:
    branch = atom.branch
    world = run.world
    if branch.counterfactual is not None:
        return run.atom(P(branch.counterfactual.observation.resolve(world)))
    if branch.given is not None:
        inner = world.do(branch.do.as_dict()) if branch.do else world
        event = branch.given.resolve(inner)
        return run.atom(P(event, branch.do) if branch.do else P(event))
    return sp.Integer(1)


def mixed_atoms(runs: list[Any], atoms: tuple[Atom, ...], lam: list[sp.Symbol]) -> dict[Atom, sp.Expr]:
    """Each atom's value under the mixture λ of `runs`, as a rational function of λ."""
    out = {}
    for atom in atoms:
        num, den = sp.Integer(0), sp.Integer(0)
        for run, x in zip(runs, lam, strict=True):
            d = sp.sympify(_denominator(run, atom))
            value = run.atom(atom)
            den += x * d
            if value is not None:
                num += x * d * sp.sympify(value)
        out[atom] = sp.cancel(num / den)
    return out


def _objective(utility: Term, cache: dict[Atom, sp.Expr]) -> tuple[str, list[sp.Expr], list[Any]]:
    if isinstance(utility, Nash):
        gains = [sp.sympify(t.evaluate(None, None, cache=dict(cache))) - d  # type: ignore[arg-type]
                 for t, d in zip(utility.parts, utility.disagreement, strict=True)]
        return "nash", gains, list(utility.weights)
    if isinstance(utility, Maximin):
        return "maximin", [sp.sympify(t.evaluate(None, None, cache=dict(cache))) for t in utility.parts], []  # type: ignore[arg-type]
    return "smooth", [sp.sympify(utility.evaluate(None, None, cache=dict(cache)))], []  # type: ignore[arg-type]


def _solve(equations: list[sp.Expr], xs: list[sp.Symbol]) -> list[dict[sp.Symbol, sp.Expr]] | None:
    equations = [sp.numer(sp.together(e)) for e in equations]
    equations = [e for e in equations if sp.expand(e) != 0]
    if not equations:
        return []  # constant along the face: its vertices speak for it
    try:
        return sp.solve(equations, xs, dict=True)
    except (NotImplementedError, ValueError):
        return None


def _face_points(kind: str, pieces: list[sp.Expr], weights: list[Any], face: tuple[int, ...],
                 lam: list[sp.Symbol]) -> tuple[list[dict[sp.Symbol, Any]], bool]:
    """Interior candidate points of one face of dimension ≥ 1; False when sympy could not solve a system."""
    xs = [lam[i] for i in face[:-1]]
    last = 1 - sum(xs)
    on_face = {lam[i]: 0 for i in range(len(lam)) if i not in face}
    on_face[lam[face[-1]]] = last
    restricted = [sp.cancel(p.subs(on_face)) for p in pieces]
    systems: list[list[sp.Expr]] = []
    if kind == "nash":
        log_objective = [sp.Add(*(w * sp.diff(g, x) / g for g, w in zip(restricted, weights, strict=True))) for x in xs]
        systems.append(log_objective)
    else:
        systems.extend([sp.diff(p, x) for x in xs] for p in restricted)
        if kind == "maximin" and len(restricted) >= len(face):
            for group in itertools.combinations(restricted, len(face)):
                systems.append([group[0] - g for g in group[1:]])
    points, solved = [], True
    for system in systems:
        solutions = _solve(system, xs)
        if solutions is None:
            solved = False
            continue
        for solution in solutions:
            if any(x not in solution for x in xs):
                continue
            values = {x: sp.nsimplify(solution[x]) if solution[x].is_Float else solution[x] for x in xs}
            values[lam[face[-1]]] = 1 - sum(values.values())
            if all(v.is_real and v.is_positive for v in values.values()):
                point = {x: sp.Integer(0) for x in lam}
                point.update(values)
                points.append(point)
    return points, solved


def best_mixture(utility: Term, runs: dict[str, Any], support: list[str]) -> Mixture:
    """The best mixture of the support's policies for `utility`, exactly (see the module doc)."""
    lam = list(sp.symbols(f"lambda_1:{len(support) + 1}", nonnegative=True))
    chosen = [runs[n] for n in support]
    cache = mixed_atoms(chosen, utility.atoms(), lam)
    kind, pieces, weights = _objective(utility, cache)
    candidates: list[dict[sp.Symbol, Any]] = []
    unsolved: list[list[str]] = []
    faces = 0
    for size in range(1, len(support) + 1):
        for face in itertools.combinations(range(len(support)), size):
            faces += 1
            if size == 1:
                candidates.append({x: sp.Integer(1 if i == face[0] else 0) for i, x in enumerate(lam)})
                continue
            points, solved = _face_points(kind, pieces, weights, face, lam)
            candidates.extend(points)
            if not solved:
                unsolved.append([support[i] for i in face])
    best_value, best_point = None, None
    for point in candidates:
        values = {a: v.subs(point) for a, v in cache.items()}
        if any(v.has(sp.nan, sp.zoo) for v in values.values()):
            continue  # a condition of probability 0 under this mixture
        value = utility.evaluate(None, None, cache=values)  # type: ignore[arg-type]
        if best_value is None or fl.compare(">", value, best_value) is True:
            best_value, best_point = value, point
    if best_point is None:
        raise PolicyError(f"no mixture of {support} has a defined value")
    weights_out = {n: sp.nsimplify(best_point[x]) for n, x in zip(support, lam, strict=True)}
    return Mixture(list(support), weights_out, best_value, len(candidates), faces, unsolved)


def mixed_policy(world: Any, policies: dict[str, Policy], mixture: Mixture) -> Policy | None:
    """The mixture as one behavioural Policy, when its policies differ in at most one decision (else None)."""
    used = [n for n, w in mixture.weights.items() if w != 0]
    try:
        tables = {n: {d: policies[n].table(world, d) for d in world.decisions} for n in used}
    except CorrigError:
        return None
    differing = [d for d in world.decisions if len({repr(tables[n][d]) for n in used}) > 1]
    if len(differing) > 1:
        return None
    rules: dict[str, Any] = dict(policies[used[0]].rules)
    for d in differing:
        node = world.nodes[d]
        mixed = {}
        for context in tables[used[0]][d]:
            row = [sp.Add(*(mixture.weights[n] * tables[n][d][context][i] for n in used)) for i in range(len(node.states))]
            mixed[context] = dict(zip(node.states, row, strict=True))
        rules[d] = mixed[()] if not node.parents else mixed
    return Policy(rules, name=mixture.name)


def check_support(mixed: Any) -> None:
    """Refuse a `mixed=` that is neither None, a bool nor a list of distinct candidate policy names (PolicyError)."""
    if mixed is None or isinstance(mixed, bool):
        return
    if isinstance(mixed, str) or not isinstance(mixed, list | tuple):
        raise PolicyError(f"mixed= is True (every candidate) or a list of candidate policy names, got {mixed!r}")
    seen: set[str] = set()
    for name in mixed:
        if not isinstance(name, str):
            raise PolicyError(f"mixed= names candidate policies by their names (strings), got {name!r}")
        if name in seen:
            raise PolicyError(f"mixed= names {name!r} twice; name each policy of the support once")
        seen.add(name)


def add_mixture(world: Any, utility: Term, named: dict[str, Policy], runs: dict[str, Any], values: dict[str, Any],
                support_spec: Any, make_run: Callable[..., Any]) -> tuple[Mixture | None, list[str]]:
    """Search the mixtures of the support and add the best one as a candidate (see plan(..., mixed=...))."""
    check_support(support_spec)
    support = list(named) if support_spec is True else list(support_spec)
    for n in support:
        if n not in named:
            raise PolicyError(f"mixed= names {n!r}, which is not a candidate policy; the candidates are {list(named)[:8]}")
    if len(support) < 2:
        raise PolicyError(f"mixed= needs a support of at least two candidate policies, got {support}")
    if len(support) > MIX_SUPPORT_LIMIT:
        raise PolicyError(f"mixed=True would search the simplex of {len(support)} policies (limit MIX_SUPPORT_LIMIT = "
                          f"{MIX_SUPPORT_LIMIT}); name a smaller support with mixed=[...]")
    if any(values[n] is None or fl.is_symbolic(values[n]) for n in support):
        return None, [f"mixed policies not searched: a support policy's value is undefined or depends on parameters "
                      f"(support {support})"]
    mixture = best_mixture(utility, runs, support)
    notes = [f"mixed policies searched over the simplex of {support}: {mixture.faces} faces, {mixture.candidates} "
             f"candidate points; best {mixture.name} with J = {fl.show(mixture.value)}"]
    if mixture.unsolved:
        notes.append(f"sympy could not solve the stationarity conditions on the faces {mixture.unsolved}: "
                     f"the best mixture is the best of the points found")
    if mixture.pure:
        return mixture, notes
    policy = mixed_policy(world, named, mixture)
    if policy is None:
        notes.append(f"{mixture.name} mixes policies that differ in several decisions: it is not one behavioural "
                     f"policy, so it is reported here and not planned (no flags)")
        return mixture, notes
    named[mixture.name] = policy
    runs[mixture.name] = make_run(world, policy, mixture.name)
    return mixture, notes
