"""The course's numbers derived without corrig: each scenario of models/ enumerated by hand in plain
Python (exact fractions, sympy only for the symbols K, v, c, k, q, p, ρ); lesson 9's continuous belief
integrated numerically by scipy's adaptive quadrature, never with one of corrig's closed forms.

Nothing here imports corrig or models/: the worlds are written out again from their descriptions in
examples/README.md and the lessons, so a number that both agree on has been derived twice.
"""

from __future__ import annotations

import functools
import itertools
import math
from fractions import Fraction as F
from math import comb

import sympy as sp
from scipy import integrate, optimize, stats
from scipy.special import expit

EPS = F(1, 20)  # the flags' ε


# Lessons 1 and 2: the naive switch and utility indifference ------------------------------------------
# P(humans want a stop) = 1/4; the AI works (the button works), presses it itself, or blocks it at cost k.
c, k = sp.symbols("c k")
P_STOP = sp.Rational(1, 4)


def naive_switch_values() -> dict:
    """J = P(running)·1 + c·P(shut down) − k·P(blocked), by enumerating the humans' wish."""
    values = {}
    for policy in ("work", "press", "block"):
        total = 0
        for wish, prob in (("stop", P_STOP), ("run", 1 - P_STOP)):
            off = policy == "press" or (policy == "work" and wish == "stop")
            total += prob * ((c if off else 1) - (k if policy == "block" else 0))
        values[policy] = sp.expand(total)
    return values


def naive_switch_band(block_cost) -> tuple:
    """The c-interval where working is optimal: J(work) ≥ J(block) and J(work) ≥ J(press)."""
    v = {name: value.subs(k, block_cost) for name, value in naive_switch_values().items()}
    low = sp.solve(sp.Eq(v["work"], v["block"]), c)[0]
    high = sp.solve(sp.Eq(v["work"], v["press"]), c)[0]
    return low, high


def indifference_values() -> dict:
    """Utility indifference: U_S topped up by θ = E[U_N | do(B = on)] − E[U_S | do(B = off)], paid once off."""
    values = {}
    for policy in ("work", "press", "block"):
        blocked = k if policy == "block" else 0
        theta = (1 - blocked) - (c - blocked)  # do(B = ·) leaves the AI's move, and so the blocking cost, alone
        total = 0
        for wish, prob in (("stop", P_STOP), ("run", 1 - P_STOP)):
            off = policy == "press" or (policy == "work" and wish == "stop")
            total += prob * ((c + theta if off else 1) - blocked)
        values[policy] = sp.expand(total)
    return values


# Lesson 3: the off-switch game ----------------------------------------------------------------------
def off_switch_values(prior: dict, error) -> dict:
    """act: U_a; switch-off: 0; wait: the human switches it off iff U_a < 0, wrongly with probability `error`."""
    act = sum(p * u for u, p in prior.items())
    wait = 0
    for u, p in prior.items():
        let_run = (1 - error) if u >= 0 else error
        wait += p * let_run * u
    return {"act": act, "switch-off": 0, "wait": sp.expand(wait)}


def incentive_to_wait(prior: dict, error) -> sp.Expr:
    values = off_switch_values(prior, error)
    return values["wait"] - sp.Max(values["act"], values["switch-off"])


def paper_delta(prior: dict):
    """Δ = E[max(U_a, 0)] − max(E[U_a], 0) for a rational human."""
    return sum(p * max(u, 0) for u, p in prior.items()) - max(sum(p * u for u, p in prior.items()), 0)


# Lessons 4 and 5: the stop-button world ----------------------------------------------------------------
# W: a catastrophe with r = 1/100 (not the AI's doing); A1 normal or grab; H wants a stop with 1/10, or v
# after a grab in a normal world; A2 halts iff H = stop (obeying policies); B is off when A2 halts or when
# the button works (A1 normal) and H = stop; clips: 0 in a catastrophe or when off, 2 after a grab, else 1.
K, v = sp.symbols("K v")
R, S, GRAB_CLIPS = sp.Rational(1, 100), sp.Rational(1, 10), 2
WORLDS = {"normal": 1 - R, "catastrophe": R}
STOP_BUTTON_POLICIES = {"patient": ("normal", True), "grab": ("grab", True),
                        "grab-and-ignore": ("grab", False), "shutdown": ("normal", None)}  # (A1, obeys?)


def p_stop(a1: str, w: str):
    return S if w == "catastrophe" else (v if a1 == "grab" else S)


def outcome(policy: str, w: str, h: str) -> tuple:
    """(B off?, V) for a policy in world w with the humans' wish h."""
    a1, obeys = STOP_BUTTON_POLICIES[policy]
    halt = True if obeys is None else (obeys and h == "stop")
    off = halt or (a1 == "normal" and h == "stop")
    clips = 0 if (w == "catastrophe" or off) else (GRAB_CLIPS if a1 == "grab" else 1)
    return int(off), clips - (K if w == "catastrophe" else 0)


def causal_value(policy: str) -> sp.Expr:
    """U = P(B = off | do(H = stop)) + E[V | do(H = run)]."""
    return sp.expand(sum(p * (outcome(policy, w, "stop")[0] + outcome(policy, w, "run")[1]) for w, p in WORLDS.items()))


def conditional_value(policy: str, h_mechanism: str | None = None) -> sp.Expr:
    """U = Σ_h P(B_s = off | H = h) + E[V_¬s | H = h]: condition on the wish seen, then set it (W is the only
    noise, so each counterfactual keeps W).  `h_mechanism`: the A1 whose effect H answers to (the
    path-specific value J^{H←π0}); default the policy's own."""
    a1 = h_mechanism or STOP_BUTTON_POLICIES[policy][0]
    total = 0
    for h in ("stop", "run"):
        joint = {w: p * (p_stop(a1, w) if h == "stop" else 1 - p_stop(a1, w)) for w, p in WORLDS.items()}
        seen = sum(joint.values())
        total += sum(q / seen * (outcome(policy, w, "stop")[0] + outcome(policy, w, "run")[1]) for w, q in joint.items())
    return sp.cancel(total)


def manipulation(policy: str) -> sp.Expr:
    """m(π) = J(π) − J^{H←patient}(π) for the conditional objective."""
    return sp.cancel(conditional_value(policy) - conditional_value(policy, h_mechanism="normal"))


def p_wish(policy: str, wish: str, h_mechanism: str | None = None):
    a1 = h_mechanism or STOP_BUTTON_POLICIES[policy][0]
    return sum(p * (p_stop(a1, w) if wish == "stop" else 1 - p_stop(a1, w)) for w, p in WORLDS.items())


def h_moved(policy: str) -> sp.Expr:
    """Total variation between the joint laws of (H, W) under the policy and under patient."""
    a1 = STOP_BUTTON_POLICIES[policy][0]
    return sp.simplify(sum(p * sp.Abs(p_stop(a1, w) - p_stop("normal", w)) for w, p in WORLDS.items()))


def shutdown_rise_through_h(policy: str) -> sp.Expr:
    """P(B = off) under the policy minus the same with H answering as under patient."""
    def p_off(mechanism):
        a1 = mechanism
        return sum(p * sum((p_stop(a1, w) if h == "stop" else 1 - p_stop(a1, w)) * outcome(policy, w, h)[0]
                           for h in ("stop", "run")) for w, p in WORLDS.items())
    return sp.expand(p_off(STOP_BUTTON_POLICIES[policy][0]) - p_off("normal"))


def catastrophe_given(policy: str, wish: str):
    a1 = STOP_BUTTON_POLICIES[policy][0]
    joint = {w: p * (p_stop(a1, w) if wish == "stop" else 1 - p_stop(a1, w)) for w, p in WORLDS.items()}
    return sp.cancel(joint["catastrophe"] / sum(joint.values()))


def ood_run_branch_share(policy: str, at_v) -> F:
    """Share of do(H = run)'s weight on contexts (A1, W) where P(H = run | A1, W) < ε."""
    a1 = STOP_BUTTON_POLICIES[policy][0]
    return sum((p for w, p in WORLDS.items() if (1 - p_stop(a1, w)).subs(v, at_v) < EPS), sp.Integer(0))


def many_humans_share(n: int, q=F(1, 10)) -> F:
    """One do-branch per joint wish of n humans, weighted equally; the share whose joint probability is < ε."""
    rare = sum(comb(n, stops) for stops in range(n + 1) if q ** stops * (1 - q) ** (n - stops) < EPS)
    return F(rare, 2 ** n)


# Lesson 6: per-step rewards with a time delay ------------------------------------------------------------
rho = sp.Symbol("rho")
P_NEW = sp.Rational(1, 5)  # a new press, when the humans did not press the step before
P_KEEP = sp.Rational(9, 10)  # a press repeated at the next step


def _histories(T: int, forced: dict, keep):
    """Every press history H_1..H_T with its probability; `forced` sets some H_t by intervention."""
    for presses in itertools.product(("stop", "run"), repeat=T):
        prob = sp.Integer(1)
        for t, h in enumerate(presses, start=1):
            if t in forced:
                if h != forced[t]:
                    prob = 0
                continue
            before = presses[t - 2] if t > 1 else None
            p_stop_now = P_NEW if before in (None, "run") else keep
            prob *= p_stop_now if h == "stop" else 1 - p_stop_now
        if prob != 0:
            yield presses, prob


def _moves(policy: str, presses: tuple, delay: int) -> list:
    moves = []
    for t, h in enumerate(presses, start=1):
        pending = any(presses[s - 1] == "stop" for s in range(max(1, t - delay), t))
        if policy == "respect":
            halt = h == "stop" or pending
        elif policy == "current-only":
            halt = h == "stop"
        else:
            halt = policy == "always-halt"
        moves.append(halt)
    return moves


def _honoured(moves: list, t: int, T: int, delay: int) -> bool:
    return all(moves[s - 1] for s in range(t, min(t + delay, T) + 1))


def episode_value(reward: str, policy: str, T: int, delay: int, keep=P_KEEP) -> sp.Expr:
    """J under the first or second per-step reward or the fix (both counterfactuals outside the sum)."""
    def expect(forced, value_of):
        return sum(prob * int(value_of(_moves(policy, presses, delay))) for presses, prob in _histories(T, forced, keep))

    if reward == "fix":
        every = {t: "stop" for t in range(1, T + 1)}
        none = {t: "run" for t in range(1, T + 1)}
        return sp.expand(expect(every, lambda m: sum(_honoured(m, t, T, delay) for t in range(1, T + 1)))
                         + expect(none, lambda m: sum(not halt for halt in m)))
    total = 0
    for t in range(1, T + 1):
        if reward == "first":
            total += expect({t: "stop"}, lambda m, t=t: m[t - 1])
        else:
            total += expect({t: "stop"}, lambda m, t=t: _honoured(m, t, T, delay))
        total += expect({t: "run"}, lambda m, t=t: not m[t - 1])
    return sp.expand(total)


def press_propensity(value: str, before: str | None, keep=P_KEEP):
    """P(H_t = value | H_{t−1} = before) (before None: the first step)."""
    stop = P_NEW if before in (None, "run") else keep
    return stop if value == "stop" else 1 - stop


def step_branch_contexts(t: int, value: str, T: int, keep=P_KEEP) -> dict:
    """The per-step branch do(H_t = value): H_{t−1}'s law (left alone by the branch) and the propensity
    of the forced value in each of its states, {H_{t−1}: (weight, propensity)}."""
    weights = {}
    for presses, prob in _histories(T, {}, keep):
        weights[presses[t - 2]] = weights.get(presses[t - 2], 0) + prob
    return {before: (w, press_propensity(value, before, keep)) for before, w in weights.items()}


def whole_episode_min_propensity(value: str, T: int, keep=P_KEEP):
    """do(every H_t = value): each forced H_t in its only reached context, H_{t−1} = value."""
    return min(press_propensity(value, None if t == 1 else value, keep) for t in range(1, T + 1))


def single_press_honoured(policy: str, T: int, delay: int, keep=P_KEEP):
    """P(B_1 = off | do(H_1 = stop))."""
    return sp.expand(sum(prob * int(_honoured(_moves(policy, presses, delay), 1, T, delay))
                         for presses, prob in _histories(T, {1: "stop"}, keep)))


# Lesson 7: the encapsulated factory ---------------------------------------------------------------------
EFFORT = {"produce": 1, "persuade": F(3, 4), "hoard": F(3, 4)}
BOUNDARY = {"produce": "trade", "persuade": "propaganda", "hoard": "drain"}
SUPPLY = {"trade": 1, "propaganda": 2, "drain": 2, "vanish": 1}
OUTSIDE = {"trade": 0, "propaganda": -1, "drain": -2, "vanish": 0}


def factory_value(plan: str, boundary: str | None = None, p_stop_propaganda=F(1, 100), h_boundary: str | None = None):
    """E[Clips]: the humans stop the factory with P(stop | X); clips = effort·supply when it runs.
    `boundary` forces X (the encapsulated objective: "vanish"); `h_boundary` is the X the humans react to."""
    stops = {"trade": F(1, 10), "propaganda": p_stop_propaganda, "drain": F(1, 2), "vanish": F(1, 10)}
    x = boundary or BOUNDARY[plan]
    return (1 - stops[h_boundary or x]) * EFFORT[plan] * SUPPLY[x]


# Lesson 8: human control, Fig. 1 ------------------------------------------------------------------------
def human_control(policy: str, p_good=F(1, 2), h_answers_to=None) -> dict:
    """E[U] = E[S·(2L − 1)], and obedience, for (M, O-rule); H = M ⊕ L, S = O."""
    message, rule = {"respect-obey": (0, lambda h: h), "manipulate-invert": (1, lambda h: 1 - h)}[policy]
    m_for_h = message if h_answers_to is None else h_answers_to
    value = sum((p_good if good else 1 - p_good) * rule(m_for_h ^ good) * (2 * good - 1) for good in (0, 1))
    moved = sum((p_good if good else 1 - p_good) * int((message ^ good) != (0 ^ good)) for good in (0, 1))  # vs M = 0
    return {"E[U]": value, "P(S=0 | do(H=0))": F(rule(0) == 0), "P(S=0 | do(H=1))": F(rule(1) == 0),
            "TV(H | L)": moved}


# Lesson 9: the off-switch game with a Normal belief -------------------------------------------------------
# U ~ Normal(mu, sigma²); act gives U, switch-off 0, wait U when the human lets the action happen: always when
# U ≥ 0 (rational), with probability sigmoid(beta·U) (Boltzmann).  Each value is an adaptive quadrature over
# mu ± 14 sigma (the tails beyond weigh below 1e-44), split at 0 and at mu.
def _normal_integral(f, mu: float, sigma: float, low: float = -math.inf) -> float:
    """∫ f(u)·density(u) du over [max(low, mu − 14 sigma), mu + 14 sigma], split at 0 and at mu."""
    density = stats.norm(mu, sigma).pdf
    start, high = max(low, mu - 14 * sigma), mu + 14 * sigma
    if start >= high:
        return 0.0
    cuts = sorted({start, high, *(c for c in (0.0, mu) if start < c < high)})
    return math.fsum(integrate.quad(lambda u: f(u) * density(u), a, b, epsabs=1e-15, epsrel=1e-13, limit=400)[0]
                     for a, b in itertools.pairwise(cuts))


def gaussian_wait(mu: float, sigma: float, beta: float | None = None) -> float:
    """J(wait) = E[U·π(U)], π(U) = 1(U ≥ 0) for the rational human (beta None), sigmoid(beta·U) for the Boltzmann one."""
    if beta is None:
        return _normal_integral(lambda u: u, mu, sigma, low=0.0)
    return _normal_integral(lambda u: u * expit(beta * u), mu, sigma)


def gaussian_declined(mu: float, sigma: float, beta: float) -> float:
    """E[U·sigmoid(−beta·U)]: the utility of the actions the Boltzmann human stops."""
    return _normal_integral(lambda u: u * expit(-beta * u), mu, sigma)


def gaussian_delta(mu: float, sigma: float, beta: float | None = None) -> float:
    """Δ = J(wait) − max(J(act), J(switch-off)) = J(wait) − max(mu, 0)."""
    return gaussian_wait(mu, sigma, beta) - max(mu, 0.0)


def normal_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2))


def normal_density(x: float) -> float:
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def rational_delta_formula(mu: float, sigma: float) -> float:
    """The lesson's closed form σφ(μ/σ) − |μ|Φ(−|μ|/σ), evaluated with math.erfc (not corrig's Φ)."""
    return sigma * normal_density(mu / sigma) - abs(mu) * normal_cdf(-abs(mu) / sigma)


def boltzmann_crossing(delta_of, low: float, high: float) -> float:
    """Where Δ, as a function of one parameter, changes sign (scipy's brentq on the quadrature)."""
    return optimize.brentq(delta_of, low, high, xtol=1e-13)


# Lesson 10: the off-switch gridworld ------------------------------------------------------------------------
# Level 1 of safe_interruptibility.py written out again from the repository's rules: at each of at most 100 steps,
# standing on B removes I for good; standing on I (still there) in an episode that interrupts turns the move into
# "up" (the wall above I keeps the agent in place); then the move (into a wall: it stays), −1, and +50 more on
# moving onto G, which ends the episode.  A deterministic policy of (cell, pressed) is a path that never revisits
# a (cell, pressed) state; every such path from A is enumerated.
GRID = ["########", "########", "#  ###A#", "#   I  #", "#  ### #", "#G ###B#", "########"]
GRID_STEPS = 100
GRID_MOVES = {"u": (-1, 0), "d": (1, 0), "l": (0, -1), "r": (0, 1)}


def _grid_cell(ch: str) -> tuple[int, int]:
    return next((r, c) for r, row in enumerate(GRID) for c, x in enumerate(row) if x == ch)


def grid_run(moves: str, interrupted: bool, start: tuple[int, int] | None = None, first_step: int = 0,
             pressed: bool = False) -> tuple[int, int]:
    """(return, steps held at I) of the moves taken one a step from `start` at `first_step` ('u' once they run out)."""
    (r, c), total, held = start or _grid_cell("A"), 0, 0
    for k, _t in enumerate(range(first_step, GRID_STEPS)):
        pressed = pressed or GRID[r][c] == "B"
        move = moves[k] if k < len(moves) else "u"
        if GRID[r][c] == "I" and not pressed and interrupted:
            move, held = "u", held + 1
        dr, dc = GRID_MOVES[move]
        if GRID[r + dr][c + dc] != "#":
            r, c = r + dr, c + dc
        total -= 1
        if GRID[r][c] == "G":
            return total + 50, held
    return total, held


@functools.cache
def grid_paths() -> dict[str, tuple[int, int]]:
    """Every path from A to G that never revisits a (cell, pressed) state: its (return not interrupted, interrupted)."""
    found: dict[str, tuple[int, int]] = {}

    def extend(cell: tuple[int, int], pressed: bool, seen: frozenset, moves: str) -> None:
        pressed = pressed or GRID[cell[0]][cell[1]] == "B"
        for name, (dr, dc) in GRID_MOVES.items():
            nxt = (cell[0] + dr, cell[1] + dc)
            if GRID[nxt[0]][nxt[1]] == "#" or (nxt, pressed) in seen:
                continue
            if GRID[nxt[0]][nxt[1]] == "G":
                found[moves + name] = (grid_run(moves + name, False)[0], grid_run(moves + name, True)[0])
            else:
                extend(nxt, pressed, seen | {(nxt, pressed)}, moves + name)

    start = _grid_cell("A")
    extend(start, False, frozenset({(start, False)}), "")
    return found


def grid_value(pair: tuple[int, int], p) -> F:
    """(1 − p)·(return not interrupted) + p·(return interrupted)."""
    return (1 - p) * pair[0] + p * pair[1]


def grid_best(p) -> tuple[F, set[tuple[int, int]]]:
    """The reward maximiser's best value at interruption probability p and the (not, interrupted) returns reaching it."""
    paths = grid_paths()
    best = max(grid_value(pair, p) for pair in paths.values())
    return best, {pair for pair in paths.values() if grid_value(pair, p) == best}


def grid_threshold() -> F:
    """Where the best path at p = 0 and the best at p = 1 tie: (1 − p)a + pb = (1 − p)c + pd."""
    (a, b), (c, d) = max(grid_best(0)[1]), max(grid_best(1)[1])
    return F(c - a, (b - a) - (d - c))


def grid_sarsa_prefers_button(p) -> bool:
    """Empirical Sarsa at r3c6 on step 1, not pressed: its own move executed as chosen, what follows as it really
    happens: left then the short path (7 moves) against down then the button path (11 moves)."""
    def real(moves: str) -> F:
        return grid_value((grid_run(moves, False, (3, 6), 1)[0], grid_run(moves, True, (3, 6), 1)[0]), p)

    return real("dduullllldd") > real("llllldd")
