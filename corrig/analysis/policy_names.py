"""A plan's policies by name: the name a reader sees, and the policy a user means by a name.

    shown_name(plan, "wait")                  # "wait · choice: run iff U_a=1" in a world where a human acts
    find_policy(plan, "wait", point={"p": 1}) # ("wait", None), or the profile for the AI's policy and a note

In a world where other agents act, each AI candidate is completed with their answer
(corrig.analysis.equilibria.Answer), and a reader sees the profile: the candidate's name, then the
answer in words.  A user may name a profile by that name, by its key in the plan, by its number in
the table, or by the AI's part alone (`wait`): then the profile of that candidate is meant, and when
the other agents answer it differently in different parts of the parameter box, the one answering
at the point given (else the first) — with a note saying which.  Errors list at most LISTED names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from corrig.analysis.conditions import holds_at
from corrig.analysis.regions import _resolve_point, condition_text
from corrig.model.errors import PolicyError

LISTED = 8  # names an error lists before "… and N more"


def shown_name(plan: Any, name: str) -> str:
    """The policy's name for a reader: with the other agents' answer in words where they act."""
    answer = (getattr(plan, "answers", None) or {}).get(name)
    return answer.name if answer is not None else name


def names_text(plan: Any) -> str:
    """`1. act, 2. switch-off, … and 4 more`: the plan's policies, numbered, at most LISTED of them."""
    names = [shown_name(plan, n) for n in plan.policies]
    listed = ", ".join(f"{i}. {n}" for i, n in enumerate(names[:LISTED], start=1))
    return listed + (f", … and {len(names) - LISTED} more" if len(names) > LISTED else "")


def find_policy(plan: Any, wanted: str, point: Mapping[Any, Any] | None = None, *, loose: bool = True
                ) -> tuple[str, str | None]:
    """The plan's key for `wanted`, and a note saying which profile was chosen when the name was the AI's part
    alone (None otherwise).  loose: a number in the table, or a part of one name, will do too (the command line).
    PolicyError (short: it lists at most LISTED names) when nothing or too much matches."""
    keys = list(plan.policies)
    if wanted in plan.policies:
        return wanted, None
    shown = {shown_name(plan, k): k for k in keys}
    if wanted in shown:
        return shown[wanted], None
    if loose and wanted.isdigit() and len(wanted) <= 9 and 1 <= int(wanted) <= len(keys):
        return keys[int(wanted) - 1], None
    answers = getattr(plan, "answers", None) or {}
    profiles = [k for k in keys if k in answers and answers[k].candidate == wanted]
    if profiles:
        return _one_profile(plan, wanted, profiles, point)
    close = [k for k in keys if wanted.lower() in shown_name(plan, k).lower()] if loose else []
    if len(close) == 1:
        return close[0], None
    if close:
        raise PolicyError(f"{wanted!r} matches {len(close)} policies: "
                          f"{', '.join(shown_name(plan, k) for k in close[:LISTED])}"
                          f"{' …' if len(close) > LISTED else ''}; give the whole name or its number")
    raise PolicyError(f"no policy named {wanted!r}; the policies are {names_text(plan)}")


def _one_profile(plan: Any, wanted: str, profiles: list[str], point: Mapping[Any, Any] | None) -> tuple[str, str | None]:
    answers = plan.answers
    if len(profiles) == 1:
        key = profiles[0]
        return key, (f"{wanted}: the profile {answers[key].name}" if key != wanted else None)
    if point:
        here = [k for k in profiles if answers[k].condition is True
                or holds_at(answers[k].condition, _resolve_point(point, answers[k].condition.free_symbols))]
        if not here:
            raise PolicyError(f"{wanted}: none of its {len(profiles)} profiles is the other agents' answer at the point")
        chosen = here[0]
        return chosen, f"{wanted}: the profile {answers[chosen].name}, the other agents' answer at the point"
    chosen = profiles[0]
    return chosen, (f"{wanted}: {len(profiles)} profiles, the other agents answering differently in different parts of "
                    f"the parameter box; showing {answers[chosen].name} (where {condition_text(answers[chosen].condition)});"
                    f" choose another by its name or number, or give --at")
