"""The model: what a stop-button world *is* — nodes, states, mechanisms, parameters, roles and policies.

Nothing here computes a probability.  `World.P` / `World.E` are friendly entry points that hand the
question to `corrig.inference` at call time.
"""
