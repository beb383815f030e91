"""A plugin with a typo in a hook name; loading it must fail."""

from portal import hookimpl


@hookimpl
def portal_blueprintz(app):
    return []
