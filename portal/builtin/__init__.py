"""Built-in plugins: the portal's own features, written as plugins.

Each sub-package registers through the same hooks as any installed plugin
(``portal_blueprints``, ``portal_cli``, ``portal_nav_items``,
``portal_account_links``, ``portal_api_paths`` …). They are always loaded
and never switched per agency; the kernel (``portal.core``) never imports
them, it only names them in ``DEFAULT_PLUGINS``.

- ``home``: the portal's and each agency's public home page.
- ``manage``: the agency's administration under ``/kelola/``, with the
  review queue and the officer import.
- ``records``: officers' performance records under ``/kinerja/``, with
  supervisors' feedback.
- ``api``: the JSON resources of ``/api/v1/`` (agencies, units, officers,
  records).
- ``demo``: ``flask seed-demo``.
"""
