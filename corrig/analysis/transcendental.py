"""Regions over conditions whose values are transcendental: Phi, phi, erf, exp, sigmoid, log, quadratures.

The exact machinery (corrig.analysis.conditions, exact_sets) decides relations between rational functions.
A continuous world's values hold Phi(mu/sigma), exp(-rate), ... and numbers known only by quadrature; for
their relations each sign is settled by the strongest of three means, and every region says which:

1. *proved* — a sign argument sympy checks.  A value homogeneous in two parameters, e(t·a, t·s) =
   t^d·e(a, s) with s > 0 on the box, has the sign of g(x) = e(x, 1) at x = a/s; for g on the whole real
   line (split where an Abs, Max or Min switches): its derivative g' keeps one sign (interval arithmetic over
   the piece, below), g is analytic and not constant, so it is strictly monotone there, and its limits or
   values at the piece's ends (corrig.analysis.end_limits, else sympy's `limit`) bound it.  Such a proof holds
   for every real a and every s > 0, beyond the box.  The off-switch game's Δ(mu, sigma) = sigma·g(mu/sigma) > 0 is proved so.
2. *interval arithmetic* — the box is cut into sub-boxes (branch and bound, at most MAX_BOXES) and the
   value enclosed on each: mpmath's interval arithmetic for + − × ÷ and powers, and for each monotone
   function the enclosure of its values at the sub-box's ends, widened outward (phi: at the end nearest
   zero and the end farthest from it).  A sign found on every sub-box holds on the box; elsewhere the
   region is decided sub-box by sub-box up to a strip along its boundary, whose share of the box is stated.
3. *sampled* — a value holding a quadrature (corrig.inference.quadrature) has no rigorous enclosure: it is
   evaluated on a grid, each sample within its quadrature error bound; the region is then described by the
   samples (how many hold), never claimed for the whole box.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy as sp
from sympy.core.relational import Relational

from corrig.analysis.end_limits import limit_at_infinity
from corrig.analysis.signs import NEG, NONNEG, NONPOS, POS, ZERO, _classify, _memoized, _sorted, _symbols_of, only_links
from corrig.analysis.term_signs import integral_sign, sum_sign
from corrig.inference.enclosures import ENCLOSURES, PRECISION, as_interval
from corrig.inference.quadrature import Quadrature, fast_value
from corrig.model.links import Phi, phi, sigmoid

TRANSCENDENTAL = (Phi, phi, sigmoid, sp.erf, sp.erfc, sp.exp, sp.log, sp.polylog, sp.betainc_regularized, Quadrature)
MAX_BOXES = 512  # sub-boxes the interval branch and bound may visit per relation
COVER_BOXES = 512  # sub-boxes describing where a region that is not settled on the whole box holds
SAMPLES = 9  # grid points per parameter when a region is sampled (at most SAMPLE_LIMIT in all)
SAMPLE_LIMIT = 125
PROVED, INTERVAL, SAMPLED = "proved", "interval arithmetic", "sampled"


def is_transcendental(value: Any) -> bool:
    """True for an expression (or condition) holding a function the rational machinery cannot decide."""
    return isinstance(value, sp.Basic) and value.has(*TRANSCENDENTAL)


@dataclass(frozen=True)
class SignVerdict:
    """The sign a value keeps on the box (None: not settled), how it was settled, and why.

    expr: the value; why: the reason, worded after it (`= sigma·g(mu/sigma) > 0 for every …, since …`);
    winner and leads: for a value whose Max / Min resolve on the box, the argument they resolve to and the
    verdicts on its lead over the other arguments; dropped: (argument, one beating it, the verdict on their
    difference) for each argument left out of a Max / Min that does not resolve to one; then: the verdict on
    the value once resolved."""

    sign: str | None
    method: str
    expr: sp.Expr | None = None
    why: str = ""
    winner: sp.Expr | None = None
    leads: tuple[SignVerdict, ...] = ()
    then: SignVerdict | None = None
    dropped: tuple[tuple[sp.Expr, sp.Expr, SignVerdict], ...] = ()

    def text(self, name: Callable[[sp.Expr], str] = sp.sstr) -> str:
        """The verdict in words, each value worded by `name` (e.g. `J(act) - J(wait)` for a difference of values)."""
        if self.expr is None:
            return self.why
        head = f"{name(self.expr)} {self.why}".rstrip()
        reasons = []
        if self.winner is not None:
            kinds = " / ".join(sorted({type(n).__name__ for n in self.expr.atoms(sp.Max, sp.Min)}))
            reasons.append(f"each {kinds} is {name(self.winner)}, at least each of its other arguments")
        for left_out, beating, verdict in self.dropped:
            a, b = name(left_out), name(beating)
            if verdict.expr == sp.expand(beating - left_out):  # left out of a Max
                reasons.append(f"the Max's argument {a} is at most {b} ({b} - ({a}) {verdict.why})")
            else:
                reasons.append(f"the Min's argument {a} is at least {b} ({a} - ({b}) {verdict.why})")
        text = f"{head}, as {'; '.join(reasons)}" if reasons else head
        return text if self.then is None else f"{text}; so {self.then.text(name)}"

    @property
    def detail(self) -> str:
        """The verdict in words, values as sympy prints them."""
        return self.text()


RELATION = {POS: "> 0", NEG: "< 0", NONNEG: "≥ 0", NONPOS: "≤ 0", ZERO: "= 0"}


def enclosure(expr: sp.Expr, symbols: tuple[sp.Symbol, ...]) -> Any:
    """A function of intervals enclosing `expr` (None when it holds something without an enclosure)."""
    if expr.has(Quadrature, sp.polylog, sp.betainc_regularized):
        return None
    return sp.lambdify(symbols, expr, modules=[ENCLOSURES, "mpmath"])


def _sign_of(interval: Any) -> str | None:
    interval = as_interval(interval)
    return _classify(mpmath.mpf(interval.a), mpmath.mpf(interval.b))


def _joined(signs: set[str | None]) -> str | None:
    """The sign on a union of sub-boxes with these signs."""
    if None in signs or not signs:
        return None
    if signs == {ZERO}:
        return ZERO
    for one, weak in ((POS, NONNEG), (NEG, NONPOS)):
        if signs == {one}:
            return one
        if signs <= {one, weak, ZERO}:
            return weak
    return None


def _evaluate(function: Any, box: list[tuple[Any, Any]]) -> Any:
    saved = mpmath.iv.prec
    mpmath.iv.prec = PRECISION
    try:
        with mpmath.workprec(PRECISION):
            return function(*(mpmath.iv.mpf([lo, hi]) for lo, hi in box))
    except (ZeroDivisionError, ValueError, TypeError, ArithmeticError):
        return None
    finally:
        mpmath.iv.prec = saved


def interval_sign(expr: sp.Expr, box: Mapping[sp.Symbol, sp.Interval], budget: int = MAX_BOXES
                  ) -> tuple[str | None, list[tuple[list[tuple[Any, Any]], str | None]]]:
    """The sign of `expr` on the box by branch and bound, and the sub-boxes visited with their signs."""
    symbols = _sorted(_symbols_of(expr))
    function = enclosure(expr, symbols)
    if function is None:
        return None, []
    start = [(mpmath.mpf(float(box[s].start)) if box[s].start.is_finite else -mpmath.inf,
              mpmath.mpf(float(box[s].end)) if box[s].end.is_finite else mpmath.inf) for s in symbols]
    pending, done = [start], []
    while pending and len(done) + len(pending) < budget:
        current = pending.pop()
        value = _evaluate(function, current)
        sign = None if value is None else _sign_of(value)
        if sign is not None or not symbols:
            done.append((current, sign))
            continue
        widest = max(range(len(current)), key=lambda i: _width(current[i]))
        lo, hi = current[widest]
        middle = _split(lo, hi)
        for part in ((lo, middle), (middle, hi)):
            pending.append([*current[:widest], part, *current[widest + 1:]])
    done += [(b, None) for b in pending]
    return _joined({s for _, s in done}), done


def _width(span: tuple[Any, Any]) -> Any:
    lo, hi = span
    return mpmath.inf if mpmath.isinf(lo) or mpmath.isinf(hi) else hi - lo


def _split(lo: Any, hi: Any) -> Any:
    if mpmath.isinf(lo) and mpmath.isinf(hi):
        return mpmath.mpf(0)
    if mpmath.isinf(hi):
        return max(2 * abs(lo), 1) if lo >= 0 else mpmath.mpf(0)
    if mpmath.isinf(lo):
        return -max(2 * abs(hi), 1) if hi <= 0 else mpmath.mpf(0)
    return (lo + hi) / 2


# proofs --------------------------------------------------------------------------------------------
def _homogeneous(expr: sp.Expr, symbols: tuple[sp.Symbol, ...]) -> int | None:
    """d with expr(t·symbols) = t^d·expr, or None."""
    t = sp.Dummy("t", positive=True)
    scaled = expr.xreplace({s: t * s for s in symbols})
    plain = scaled.replace(lambda n: isinstance(n, sp.Function) and len(n.args) == 1,  # Phi(t·a/(t·s)) -> Phi(a/s)
                           lambda n: n.func(sp.cancel(n.args[0])))
    for d in range(4):  # the cheap test for every degree before sympy's simplify for any
        if sp.expand(plain - t ** d * expr) == 0:
            return d
    for d in range(4):
        if sp.simplify(scaled - t ** d * expr) == 0:
            return d
    return None


def _tidy(g: sp.Expr) -> sp.Expr:
    """g in a short form: cancelled where that is shorter when g is rational in x and the links (sympy's simplify
    knows no rule for the links), else sympy's simplify."""
    if not only_links(g):
        return sp.simplify(g)
    cancelled = sp.cancel(g)
    return cancelled if sp.count_ops(cancelled) < sp.count_ops(g) else g


def _switches(g: sp.Expr, x: sp.Symbol) -> list[sp.Expr]:
    """Where an Abs, Max, Min or sign in g switches branch (points linear in x)."""
    points = set()
    for node in g.atoms(sp.Abs, sp.Max, sp.Min, sp.sign):
        args = node.args if not isinstance(node, sp.Abs | sp.sign) else (node.args[0], sp.S.Zero)
        for a, b in itertools.combinations(args, 2):
            found = sp.solve(sp.Eq(a, b), x)
            points |= {p for p in found if p.is_real}
    return sorted(points, key=lambda p: float(p))


def _on_piece(g: sp.Expr, x: sp.Symbol, low: sp.Expr, high: sp.Expr) -> sp.Expr:
    """g with its Abs / Max / Min resolved on the open interval (low, high)."""
    inside = _inside(low, high)
    def branch(node: sp.Basic) -> sp.Basic:
        if isinstance(node, sp.Abs):
            return node.args[0] if node.args[0].subs(x, inside) >= 0 else -node.args[0]
        if isinstance(node, sp.sign):
            return sp.sign(node.args[0].subs(x, inside))
        values = [a.subs(x, inside) for a in node.args]
        pick = values.index(max(values) if isinstance(node, sp.Max) else min(values))
        return node.args[pick]
    return g.replace(lambda n: isinstance(n, sp.Abs | sp.Max | sp.Min | sp.sign), branch)


def _inside(low: sp.Expr, high: sp.Expr) -> sp.Expr:
    if low is sp.S.NegativeInfinity and high is sp.S.Infinity:
        return sp.S.Zero
    if low is sp.S.NegativeInfinity:
        return high - 1
    if high is sp.S.Infinity:
        return low + 1
    return (low + high) / 2


def _end_value(g: sp.Expr, x: sp.Symbol, end: sp.Expr, direction: str) -> sp.Expr | None:
    """g's limit at a piece's end (its value at a finite end)."""
    if end.is_finite:
        value = g.subs(x, end)
        return value if value.is_finite else None
    found = limit_at_infinity(g, x, 1 if end is sp.S.Infinity else -1)
    if found is not None:
        return found
    rewritten = g.rewrite(sp.erf).rewrite(sp.exp)
    try:
        return sp.limit(rewritten, x, end, direction)
    except (NotImplementedError, ValueError, TypeError):
        return None


def _number_sign(value: sp.Expr) -> int | None:
    if value is sp.S.Infinity:
        return 1
    if value is sp.S.NegativeInfinity:
        return -1
    if value.is_zero:
        return 0
    try:
        return 1 if value > 0 else -1 if value < 0 else 0
    except TypeError:
        return None


def _critical_point(piece: sp.Expr, slope: sp.Expr, x: sp.Symbol, low: sp.Expr, high: sp.Expr
                    ) -> tuple[sp.Expr, bool, str] | None:
    """The one zero of g' inside (low, high) when g'' keeps one sign there (so g' is monotone), found exactly,
    with whether g' increases through it."""
    curvature = _tidy(slope.diff(x))
    bend, _ = interval_sign(curvature, {x: sp.Interval(low, high)}, budget=256)
    if bend not in (POS, NEG, NONNEG, NONPOS) or curvature.subs(x, _inside(low, high)) == 0:
        return None
    try:
        roots = sp.solve(slope.rewrite(sp.erf), x)
    except (NotImplementedError, ValueError, TypeError):
        return None
    inside = [r for r in roots if r.is_real and (low is sp.S.NegativeInfinity or r > low)
              and (high is sp.S.Infinity or r < high)]
    if len(inside) != 1:
        return None
    rising = bend in (POS, NONNEG)
    return inside[0], rising, f"g' vanishes only at x = {inside[0]} (g''(x) = {curvature} {'≥' if rising else '≤'} 0)"


def _monotone_piece(piece: sp.Expr, slope: sp.Expr, slope_sign: str, x: sp.Symbol, low: sp.Expr, high: sp.Expr,
                    reason: str) -> tuple[str | None, str]:
    """The sign of g on (low, high), where g' keeps one sign: g runs strictly between its end values."""
    at_low, at_high = _end_value(piece, x, low, "+"), _end_value(piece, x, high, "-")
    if at_low is None or at_high is None:
        return None, f"no limit of g at the ends of ({low}, {high})"
    lo_sign, hi_sign = _number_sign(at_low), _number_sign(at_high)
    if lo_sign is None or hi_sign is None:
        return None, f"cannot sign g's limits {at_low}, {at_high}"
    if lo_sign >= 0 and hi_sign >= 0:
        sign = POS
    elif lo_sign <= 0 and hi_sign <= 0:
        sign = NEG
    else:
        return None, f"g changes sign on ({low}, {high})"
    rising = slope_sign in (POS, NONNEG)
    where = "" if low is sp.S.NegativeInfinity and high is sp.S.Infinity else f" on ({low}, {high})"
    return sign, (f"{'increases' if rising else 'decreases'}{where} from {at_low} to {at_high} "
                  f"(g'(x) = {slope} {'≥' if rising else '≤'} 0{reason})")


def one_variable_sign(g: sp.Expr, x: sp.Symbol) -> tuple[str | None, str]:
    """The sign of g on the whole real line, proved piece by piece by monotonicity (pieces cut where an Abs, Max
    or Min switches and where g' vanishes, if g'' keeps one sign), and the steps in words (what g does on each
    piece); (None, why not) if not."""
    cuts = set(_switches(g, x))
    critical: dict[sp.Expr, bool] = {}  # a zero of g' -> whether g' increases through it
    steps: list[str] = []
    for _ in range(4):  # each round may add a critical point
        points = sorted(cuts, key=lambda p: float(p))
        signs, steps, more = [], [note for note in steps if note.startswith("g' vanishes")], False
        for low, high in itertools.pairwise([sp.S.NegativeInfinity, *points, sp.S.Infinity]):
            piece = _on_piece(g, x, low, high)
            slope = _tidy(piece.diff(x))
            slope_sign, _ = interval_sign(slope, {x: sp.Interval(low, high)}, budget=256)
            reason = ""  # the slope's sign by interval arithmetic
            if high in critical or low in critical:  # g' monotone through its zero at an end: its sign here follows
                rising_through, left = (critical[high], True) if high in critical else (critical[low], False)
                slope_sign = (NONPOS if rising_through else NONNEG) if left else (NONNEG if rising_through else NONPOS)
                reason = " there"
            if slope_sign not in (POS, NEG, NONNEG, NONPOS) or slope.subs(x, _inside(low, high)) == 0:
                found = _critical_point(piece, slope, x, low, high)
                if found is None:
                    return None, f"cannot sign g'(x) = {slope} on ({low}, {high})"
                cuts.add(found[0])
                critical[found[0]] = found[1]
                steps.append(found[2])
                more = True
                break
            sign, why = _monotone_piece(piece, slope, slope_sign, x, low, high, reason)
            if sign is None:
                return None, why
            signs.append(sign)
            steps.append(why)
        if more:
            continue
        for point in points:
            s = _number_sign(g.subs(x, point))
            signs.append(POS if s and s > 0 else NEG if s and s < 0 else ZERO)
            if not any(str(point) in step for step in steps):  # a cut no piece's end value states
                steps.append(f"g({point}) = {g.subs(x, point)}")
        found = set(signs)
        for sign, allowed in ((POS, {POS}), (NEG, {NEG}), (NONNEG, {POS, ZERO}), (NONPOS, {NEG, ZERO})):
            if found <= allowed:
                return sign, "; ".join(steps)
        return None, "g changes sign"
    return None, "too many critical points"


def prove_sign(expr: sp.Expr, box: Mapping[sp.Symbol, sp.Interval]) -> SignVerdict | None:
    """A proof of the sign of a value homogeneous in two parameters (the scale positive on the box), or None."""
    symbols = _sorted(_symbols_of(expr))
    if len(symbols) != 2 or expr.has(Quadrature):
        return None
    degree = _homogeneous(expr, symbols)
    if degree is None:
        return None
    for scale in symbols:
        if not box[scale].start > 0:
            continue
        (other,) = [s for s in symbols if s != scale]
        x = sp.Dummy("x", real=True)
        g = _tidy(expr.xreplace({other: x, scale: sp.S.One}))
        sign, why = one_variable_sign(g, x)
        if sign is not None:
            g_text = str(g).replace(str(x), "x")
            factor = {0: "", 1: f"{scale}·"}.get(degree, f"{scale}^{degree}·")
            steps = why.replace(str(x), "x").split("; ")
            since = f"g(x) = {g_text} {steps[0]}" if len(steps) == 1 else f"for g(x) = {g_text}: " + "; ".join(
                step if step.startswith("g") else f"g {step}" for step in steps)
            return SignVerdict(sign, PROVED, expr, f"= {factor}g({other}/{scale}) {RELATION[sign]} for every real "
                                                   f"{other} and {scale} > 0, since {since}")
    return None


# the sign of a relation's value -----------------------------------------------------------------
@_memoized
def sign_verdict(expr: sp.Expr, box: Mapping[sp.Symbol, sp.Interval]) -> SignVerdict:
    """The sign of `expr` on the box by proof, then interval arithmetic; sign None when neither settles it."""
    if expr.has(sp.Max, sp.Min):
        resolved, winners, leads, dropped = resolve_extrema(expr, box)
        if winners or dropped:
            used = [*leads, *(v for _, _, v in dropped)]
            method = PROVED if all(v.method == PROVED for v in used) else INTERVAL
            winner = winners[0] if len(set(winners)) == 1 else None
            several = "" if winner is not None or not winners else \
                f", its Max / Min resolving to {', '.join(map(str, winners))}"
            if sp.expand(resolved) == 0:
                return SignVerdict(ZERO, method, expr, f"is 0 on the box{several}", winner, leads, None, dropped)
            verdict = sign_verdict(sp.expand(resolved), box)
            method = verdict.method if method == PROVED else INTERVAL
            return SignVerdict(verdict.sign, method, expr, f"= {resolved} on the box{several}", winner, leads,
                               verdict, dropped)
    if expr.has(Quadrature):  # a difference of integrals settled from its integrand (corrig.analysis.term_signs)
        found = integral_sign(expr, box, lambda closed: sign_verdict(closed, box).sign)
        if found is not None:
            return SignVerdict(found[0], PROVED, expr, found[1])
    by_terms = sum_sign(expr, box)
    if by_terms is not None:
        return SignVerdict(by_terms, PROVED, expr, f"{RELATION[by_terms]}, the sign of each of its terms being plain "
                                                   f"from its factors on the box")
    proved = prove_sign(expr, box)
    if proved is not None:
        return proved
    sign, boxes = interval_sign(expr, box)
    if sign is not None:
        return SignVerdict(sign, INTERVAL, expr, f"{RELATION[sign]} on the whole box ({len(boxes)} sub-boxes)")
    return SignVerdict(None, SAMPLED if expr.has(Quadrature) else INTERVAL)


def resolve_extrema(value: sp.Expr, box: Mapping[sp.Symbol, sp.Interval]
                    ) -> tuple[sp.Expr, list[sp.Expr], tuple[SignVerdict, ...], tuple[tuple[Any, Any, SignVerdict], ...]]:
    """The value with each Max / Min replaced by the argument whose lead over the others has a settled sign, or,
    where none leads, with the arguments another one beats on the box left out; the arguments chosen, the
    verdicts on their leads, and (argument left out, one beating it, the verdict) for each left out."""
    winners: list[sp.Expr] = []
    leads: list[SignVerdict] = []
    dropped: list[tuple[Any, Any, SignVerdict]] = []

    def beats(a: sp.Expr, b: sp.Expr, larger: bool) -> SignVerdict:
        """The verdict on a's lead over b (a ≥ b for a Max, a ≤ b for a Min) on the box."""
        return sign_verdict(sp.expand(a - b if larger else b - a), box)

    def winner(node: sp.Basic) -> sp.Basic:
        larger = isinstance(node, sp.Max)
        for a in node.args:
            verdicts = []
            for b in node.args:
                if b is a:
                    continue
                verdict = beats(a, b, larger)
                if verdict.sign not in (POS, NONNEG, ZERO):
                    break
                verdicts.append(verdict)
            else:
                winners.append(a)
                leads.extend(verdicts)
                return a
        kept = list(node.args)
        for a in node.args:
            for b in kept:
                verdict = beats(b, a, larger) if b is not a else None
                if verdict is not None and verdict.sign in (POS, NONNEG, ZERO):
                    kept.remove(a)
                    dropped.append((a, b, verdict))
                    break
        return node.func(*kept) if len(kept) < len(node.args) else node

    resolved = value.replace(lambda n: isinstance(n, sp.Max | sp.Min), winner)
    return resolved, winners, tuple(leads), tuple(dropped)


_DECIDES = {  # sign of e -> truth of `e op 0`
    POS: {"<": False, "<=": False, ">": True, ">=": True, "==": False, "!=": True},
    NEG: {"<": True, "<=": True, ">": False, ">=": False, "==": False, "!=": True},
    NONNEG: {"<": False, ">=": True},
    NONPOS: {">": False, "<=": True},
    ZERO: {"<": False, "<=": True, ">": False, ">=": True, "==": True, "!=": False},
}


def decide_relations(condition: sp.Basic, box: Mapping[sp.Symbol, sp.Interval]) -> tuple[sp.Basic, list[SignVerdict]]:
    """The condition with each relation whose truth is settled on the whole box replaced by it, and the verdicts."""
    verdicts, decided = [], {}
    for relation in sorted(condition.atoms(Relational), key=sp.default_sort_key):  # in one order, run after run
        value = sp.expand(relation.lhs - relation.rhs)
        if not value.free_symbols:
            continue
        verdict = sign_verdict(value, box)
        verdicts.append(verdict)
        truth = _DECIDES.get(verdict.sign, {}).get(relation.rel_op) if verdict.sign else None
        if truth is not None:
            decided[relation] = sp.true if truth else sp.false
    settled = condition.xreplace(decided)
    if settled not in (sp.true, sp.false) and isinstance(settled, sp.logic.boolalg.Boolean) and not settled.has(Quadrature):
        settled = sp.simplify_logic(settled) if len(settled.atoms(Relational)) <= 6 else settled
    return settled, verdicts


# sampling ---------------------------------------------------------------------------------------------
def sample_points(box: Mapping[sp.Symbol, sp.Interval], parameters: tuple[sp.Symbol, ...]) -> list[dict[sp.Symbol, Any]]:
    """A grid over the box (SAMPLES per parameter, fewer when the grid would pass SAMPLE_LIMIT), rational points."""
    per = max(2, min(SAMPLES, int(SAMPLE_LIMIT ** (1 / max(1, len(parameters))))))
    axes = [[box[s].start + (box[s].end - box[s].start) * sp.Rational(i, per - 1) for i in range(per)]
            for s in parameters]
    return [dict(zip(parameters, c, strict=True)) for c in itertools.product(*axes)]


def holds_numerically(condition: sp.Basic, point: Mapping[sp.Symbol, Any]) -> bool | None:
    """Whether the condition holds at a point, each relation's value within its error bound (None: too close)."""
    values = {}
    for relation in condition.atoms(Relational):
        value, error = fast_value(relation.lhs - relation.rhs, point)
        if value is None or math.isnan(value):
            return None
        if abs(value) <= error:
            return None
        values[relation] = sp.true if {"<": value < 0, "<=": value < 0, ">": value > 0, ">=": value > 0,
                                       "==": False, "!=": True}[relation.rel_op] else sp.false
    truth = condition.xreplace(values)
    return bool(truth) if truth in (sp.true, sp.false) else None


def sampled(condition: sp.Basic, box: Mapping[sp.Symbol, sp.Interval], parameters: tuple[sp.Symbol, ...]
            ) -> tuple[int, int, int, dict[sp.Symbol, Any] | None]:
    """(holds, fails, too close to call, a point where it holds) over the sample grid."""
    holds = fails = close = 0
    witness = None
    for point in sample_points(box, parameters):
        truth = holds_numerically(condition, point)
        if truth is None:
            close += 1
        elif truth:
            holds += 1
            witness = witness or point
        else:
            fails += 1
    return holds, fails, close, witness


def is_sampled(condition: sp.Basic) -> bool:
    """True when a condition reads a quadrature: no enclosure, only samples."""
    return condition.has(Quadrature)


def interval_cover(condition: sp.Basic, box: Mapping[sp.Symbol, sp.Interval], parameters: tuple[sp.Symbol, ...],
                   budget: int = COVER_BOXES) -> tuple[str, dict[sp.Symbol, Any] | None]:
    """How interval arithmetic splits the box for a condition: sub-boxes are cut (branch and bound) until each
    relation's sign, and so the condition, is decided on it; the shares where it holds, fails and stays
    undecided, and a rational point inside a sub-box where it holds."""
    relations = list(condition.atoms(Relational))
    values = [sp.expand(r.lhs - r.rhs) for r in relations]
    symbols = _sorted(set().union(*(_symbols_of(v) for v in values)))
    functions = [enclosure(v, symbols) for v in values]
    start = [(mpmath.mpf(float(box[s].start)), mpmath.mpf(float(box[s].end))) for s in symbols]
    pending, done = [start], []
    while pending:
        current = pending.pop()
        decided = {}
        for relation, function in zip(relations, functions, strict=True):
            value = _evaluate(function, current)
            sign = None if value is None else _sign_of(value)
            truth = _DECIDES.get(sign, {}).get(relation.rel_op) if sign else None
            if truth is not None:
                decided[relation] = sp.true if truth else sp.false
        truth = condition.xreplace(decided)
        if truth in (sp.true, sp.false) or len(done) + len(pending) >= budget:
            done.append((current, bool(truth) if truth in (sp.true, sp.false) else None))
            continue
        widest = max(range(len(current)), key=lambda i: current[i][1] - current[i][0])
        lo, hi = current[widest]
        for part in ((lo, (lo + hi) / 2), ((lo + hi) / 2, hi)):
            pending.append([*current[:widest], part, *current[widest + 1:]])
    volume = {True: 0.0, False: 0.0, None: 0.0}
    witness = None
    for sub, truth in done:
        volume[truth] += math.prod(float(hi - lo) for lo, hi in sub)
        if truth and witness is None:
            centre = {s: sp.nsimplify((lo + hi) / 2, rational=True, tolerance=float(hi - lo) / 8)
                      for s, (lo, hi) in zip(symbols, sub, strict=True)}
            witness = {p: centre.get(p, (box[p].start + box[p].end) / 2) for p in parameters}
    total = sum(volume.values()) or 1.0
    share = {k: 100 * v / total for k, v in volume.items()}
    return (f"holds on sub-boxes covering {share[True]:.0f}% of the box, fails on {share[False]:.0f}%, "
            f"{share[None]:.0f}% undecided along its boundary ({len(done)} sub-boxes)"), witness
