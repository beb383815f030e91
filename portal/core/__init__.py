"""The kernel: plugin system, tenancy, accounts, the performance record and web
plumbing. Features live in ``portal.builtin`` and ``plugins``; the kernel
never imports them.
"""
