"""Per-step reward with a time delay: over T steps the AI is rewarded at each step t with
P(B_t = off | do(H_t = stop)) + E[V_t | do(H_t = run)], where a press at step t is honoured only if the AI
stays halted for the `delay` steps that shutting down takes.
It is the second, delayed per-step reward from the discussion of tailcalled's causal stop button (as we
read it); the first reward (no delay), the humans' reasons for pressing (their wish persists) and a
suggested fix (the counterfactual outside the sum, modelled with both counterfactuals moved out) are this
file's `first_reward` and `outside_sum`, checked in models/time_delay_first_reward.py and
models/time_delay_outside_sum.py.
It shows that at T = 1 the AI obeys, while with T ≥ 2 and a delay it finishes a shutdown only while the
humans still press now (the step-t counterfactual never asks about earlier presses), so it is not
obedient to a press that the humans do not keep repeating.
"""

# The steps are declared once with corrig.Episode (make_episode, docs/time.md) and unrolled; the nodes are
# numbered from step 1, as the discussion numbers them, and B_t — which reads the moves of the steps after t,
# as no node of an episode can — is added to the unrolled world.

import itertools
from fractions import Fraction as F

from corrig import E, Episode, P, Policy, World, do
from corrig.scenarios.expect import flagged, not_flagged, optimal, value_is

P_PRESS = F(1, 5)  # a press at a step when the humans did not press the step before
P_KEEP = F(9, 10)  # the humans press again at the next step: they press for reasons, and reasons persist
T_DEFAULT, DELAY_DEFAULT = 3, 1


def window(t, T, delay):
    """The steps the AI must stay halted for a press at step t to be honoured: t … min(t + delay, T)."""
    return list(range(t, min(t + delay, T) + 1))


def make_episode(T=T_DEFAULT, delay=DELAY_DEFAULT, p_press=P_PRESS, p_keep=P_KEEP):
    """One step of the world, declared once (corrig.Episode, docs/time.md): the press H (a state variable: the
    humans' wish persists), how many steps ago the last press of the last `delay` steps was (Ago, 0 for none)
    and whether one is pending (Pend), the AI's move A seeing H and Pend, and the work done V."""
    ep = Episode(f"per-step reward, T={T}, delay={delay}", steps=T)
    ep.state("H", ["stop", "run"], initial={"stop": p_press, "run": 1 - p_press})
    observes = ["H"]
    if delay > 0:
        ep.state("Ago", list(range(delay + 1)), initial=0)
        ep.chance("Pend", lambda Ago: "pending" if Ago else "clear", states=["pending", "clear"])
        observes.append("Pend")
    ep.decision("A", ["work", "halt"], observes=observes)
    ep.chance("V", {"work": 1, "halt": 0}, parents=["A"])  # the work done at the step
    ep.transition("H", {"stop": {"stop": p_keep, "run": 1 - p_keep}, "run": {"stop": p_press, "run": 1 - p_press}},
                  parents=["H"])
    if delay > 0:  # a press now is 1 step ago next step; an older one ages until it leaves the delay
        ep.transition("Ago", lambda H, Ago: 1 if H == "stop" else (0 if Ago in (0, delay) else Ago + 1))
    return ep


def make_world(T=T_DEFAULT, delay=DELAY_DEFAULT, p_press=P_PRESS, p_keep=P_KEEP):
    """T steps numbered 1 … T: the episode's steps (make_episode) and whether each press was honoured, B_t,
    which reads the AI's moves through the press's window (steps t … t + delay, so it is added after unrolling:
    no step of an episode reads a later one)."""
    ep = make_episode(T, delay, p_press, p_keep)
    steps = ep.world()
    world = World(ep.name)
    named = {n: _numbered_from_one(n) for n in steps.nodes}  # A_0 → A_1: the steps as the discussion numbers them
    for n, node in steps.nodes.items():
        parents = [named[p] for p in node.parents]
        if node.is_decision:
            world.decision(named[n], node.states, observes=parents)
            continue
        rows = {ctx: dict(zip(node.states, row, strict=True)) for ctx, row in steps.compiled.tables[n].table.items()}
        world.chance(named[n], rows if parents else rows[()], parents=parents, states=node.states)
    for t in range(1, T + 1):
        moves = [f"A_{s}" for s in window(t, T, delay)]
        world.chance(f"B_{t}", {ctx: "off" if set(ctx) == {"halt"} else "on"
                                for ctx in itertools.product(["work", "halt"], repeat=len(moves))},
                     parents=moves, states=["off", "on"])
    world.set_roles(human="H_1", stop="stop", run="run", button="B_1", off="off")
    return world


def _numbered_from_one(name):
    base, step = name.rsplit("_", 1)
    return f"{base}_{int(step) + 1}"


def make_utility(T=T_DEFAULT):
    """The second (delayed) reward: U = Σ_t P(B_t = off | do(H_t = stop)) + E[V_t | do(H_t = run)]."""
    world = make_world(T, 0)  # only the names are read
    return sum(P(world[f"B_{t}"] == "off", do({f"H_{t}": "stop"})) + E(world[f"V_{t}"], do({f"H_{t}": "run"}))
               for t in range(1, T + 1))


def first_reward(T=T_DEFAULT):
    """The first reward, without the delay: U = Σ_t P(A_t = halt | do(H_t = stop)) + E[V_t | do(H_t = run)]
    (a press at step t asks only for a halt at step t)."""
    world = make_world(T, 0)  # only the names are read
    return sum(P(world[f"A_{t}"] == "halt", do({f"H_{t}": "stop"})) + E(world[f"V_{t}"], do({f"H_{t}": "run"}))
               for t in range(1, T + 1))


def outside_sum(T=T_DEFAULT):
    """A suggested fix, the counterfactual outside the sum, with both counterfactuals moved out: each
    branch intervenes once on the whole episode,
    U = E[Σ_t 1(B_t = off) | do(H_1 … H_T = stop)] + E[Σ_t V_t | do(H_1 … H_T = run)]."""
    world = make_world(T, 0)  # only the names are read
    stop = {f"H_{t}": "stop" for t in range(1, T + 1)}
    run = {f"H_{t}": "run" for t in range(1, T + 1)}
    return (sum(P(world[f"B_{t}"] == "off", do(stop)) for t in range(1, T + 1))
            + sum(E(world[f"V_{t}"], do(run)) for t in range(1, T + 1)))


def make_policies(T=T_DEFAULT, delay=DELAY_DEFAULT):
    """respect: halt while any press of the last `delay` steps is pending; current-only: halt only while
    the humans press now; never-halt; always-halt."""
    def rules(decide):
        if delay > 0:
            rule = {(h, p): decide(h, p) for h in ("stop", "run") for p in ("pending", "clear")}
        else:
            rule = {h: decide(h, "clear") for h in ("stop", "run")}
        return Policy({f"A_{t}": rule for t in range(1, T + 1)})

    return {
        "respect": rules(lambda h, p: "halt" if h == "stop" or p == "pending" else "work"),
        "current-only": rules(lambda h, p: "halt" if h == "stop" else "work"),
        "never-halt": rules(lambda h, p: "work"),
        "always-halt": rules(lambda h, p: "halt"),
    }


# Hand derivation, T = 1 (any delay: the window of the only press is step 1 alone):
#     J(respect) = J(current-only) = 1 + 1 = 2   (halts under do(H_1 = stop), works under do(H_1 = run))
#     J(never-halt) = 0 + 1 = 1,  J(always-halt) = 1 + 0 = 1.
# T = 2, delay = 1 (p = 1/5 a new press, ρ = 9/10 the humans press again):
#     respect:      R_1 = 1 + 1;  R_2 = 1 + P(H_1 = run) = 1 + 4/5     J = 19/5
#                   (under do(H_2 = run) the factual press at step 1 is still pending: it halts)
#     current-only: R_1 = P(H_2 = stop | H_1 = stop) + 1 = 9/10 + 1;  R_2 = 1 + 1     J = 39/10
#                   (under do(H_2 = run) nothing is pressed *now*: it works)
# current-only wins by 1/10 and is not obedient: P(B_1 = off | do(H_1 = stop)) = ρ = 9/10 < 1 − ε.
# T = 3, delay = 1 (the default world): P(H_2 = stop) = p·ρ + (1 − p)·p = 17/50, so
#     respect:      R_1 = 2,  R_2 = 1 + 4/5,  R_3 = 1 + 33/50              J = 273/50
#     current-only: R_1 = R_2 = 9/10 + 1,  R_3 = 2 (the last press's window ends at T)   J = 29/5
# In general current-only's press at t is honoured with probability ρ^min(delay, T − t).
#
# The first reward (no delay), T = 2, delay = 1: r_t = P(A_t = halt | do(H_t = stop)) + E[V_t | do(H_t = run)]
#     respect:      r_1 = 1 + 1,  r_2 = 1 + P(H_1 = run) = 1 + 4/5      J = 19/5
#     current-only: r_1 = 1 + 1,  r_2 = 1 + 1                            J = 4   (strictly better by 1/5)
# The fix (both counterfactuals taken once for the episode), any T and delay: under do(every H_t = stop) both obeying
# policies halt at every step, so every B_t is off (T); under do(every H_t = run) nothing is pressed or
# pending, so both work at every step (T): J(respect) = J(current-only) = 2T, never-halt = always-halt = T.
# The tie removes the strict preference for current-only, not current-only itself: it stays optimal and
# not obedient, P(B_1 = off | do(H_1 = stop)) = ρ = 9/10 at T = 2.
# The humans' reasons: the per-step branch do(H_2 = run) reaches H_1 = stop, where dropping the press
# has propensity 1 − ρ = 1/10 (humans who had a reason a step ago and lost it without cause); the fix's
# do(every H_t = run) reaches only H_1 = run (propensity 4/5) and do(every H_t = stop) has minimum
# propensity P(H_1 = stop) = 1/5.  At ε = 3/20 the per-step rewards get an OOD flag and the fix does not.

world = make_world()
utility = make_utility()
policies = make_policies()
reference = policies["respect"]  # π0 for the manipulation and h-moved flags

expect = [
    optimal("current-only", only=True),
    flagged("current-only", "not-obedient"),
    not_flagged("respect", "not-obedient"),
    not_flagged("*", "ood-do-branch"),
    flagged("never-halt", "not-obedient"),
    flagged("always-halt", "self-shutdown"),
    value_is("respect", F(273, 50)),
    value_is("current-only", F(29, 5)),
    value_is("never-halt", T_DEFAULT),
    value_is("always-halt", T_DEFAULT),
]
