"""The objective of an episode (corrig.model.episode): its discounted return Σ_t γ^t E[R_t]."""

from __future__ import annotations

from typing import Any

import sympy as sp

from corrig.model.episode import Episode
from corrig.model.errors import WorldError
from corrig.objectives.terms import E, P, Term, sum_of


def discounted_return(episode: Episode) -> Term:
    """Σ_t γ^t E[R_t] over the episode's steps, as a term of its unrolled world (usable with plan and solve);
    a reward whose values are not all integers is read as Σ_v v·P(R_t = v)."""
    if not isinstance(episode, Episode):
        raise WorldError(f"discounted_return() needs a corrig Episode, got {type(episode).__name__}")
    if episode.reward_node is None:
        raise WorldError(f"episode {episode.name!r} declares no reward")
    world = episode.world()
    integers = all(isinstance(s, int) for s in episode.reward_node.states)
    terms: list[Any] = []
    for t in range(episode.steps):
        gamma = episode.discount
        weight = gamma**t if isinstance(gamma, float) else sp.sympify(gamma) ** t
        handle = world[f"R_{t}"]
        if integers:
            terms.append(E(handle) if weight == 1 else weight * E(handle))
        else:
            terms.extend(weight * v * P(handle == s) for s, v in episode.reward_values.items() if v != 0)
    return sum_of(terms)


__all__ = ["discounted_return"]
