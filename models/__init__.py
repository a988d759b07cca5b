"""The bundled scenarios.  A package, so that a scenario can import what it shares with a sibling
(`from .causal_stop_button import make_world`); `corrig check` loads a file in a folder with an
`__init__.py` as a module of that folder's package."""
