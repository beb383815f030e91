"""The plugin system: every hook spec (``hookspecs``) and the per-app plugin
manager with the per-agency module switches, blueprints and panel types
(``plugins``).
"""
