"""The shape of the code: a small kernel, features as plugins, no cycles.

- ``portal.core`` (the kernel) imports neither a built-in plugin
  (``portal.builtin``) nor an installed one (``plugins``); it names the
  built-in ones only as strings in ``DEFAULT_PLUGINS``.
- No built-in plugin imports another one.
- No two modules of ``portal`` import each other, directly or through
  others, at import time.
- The kernel stays under 35% of the Python lines of ``portal/`` and
  ``plugins/`` (tests and migrations aside).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    path
    for folder in ("portal", "plugins")
    for path in sorted((ROOT / folder).rglob("*.py"))
    if "migrations" not in path.parts and "translations" not in path.parts
]


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    """Modules ``path`` imports (all of them, or only at import time)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


MODULES = {_module(path): path for path in SOURCES}
#: Beside portal.core, the kernel's modules at the top of the package.
KERNEL_TOP = ("portal", "portal.config", "portal.extensions", "portal.plugin")


def test_the_kernel_imports_no_plugin_and_builtins_import_no_other_builtin():
    offences = []
    for name, path in MODULES.items():
        imported = _imports(path, top_level_only=False)
        if name.startswith("portal.core"):
            offences += [
                f"{name} imports {m}" for m in imported if m.startswith(("portal.builtin", "plugins"))
            ]
        if name.startswith("portal.builtin."):
            own = ".".join(name.split(".")[:3])
            offences += [
                f"{name} imports {m}"
                for m in imported
                if m.startswith("portal.builtin.") and not m.startswith(own)
            ]
    assert not offences, "\n".join(offences)


def test_no_import_cycle_among_the_portals_modules():
    graph = {
        name: {m for m in _imports(path, top_level_only=True) if m in MODULES and m != name}
        for name, path in MODULES.items()
    }
    # A package's __init__ runs before its modules: importing a.b imports a.
    for name in MODULES:
        parent = name.rsplit(".", 1)[0]
        if parent in MODULES and parent != name:
            graph[name].add(parent)
    seen, stack, cycles = set(), [], []

    def visit(node):
        if node in stack:
            cycles.append(stack[stack.index(node) :] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for nxt in sorted(graph[node]):
            visit(nxt)
        stack.pop()

    for name in sorted(graph):
        visit(name)
    # A package importing its own sub-modules is not a cycle that can fail.
    real = [c for c in cycles if not all(c[0].startswith(m) or m.startswith(c[0]) for m in c)]
    assert not real, "\n".join(" -> ".join(c) for c in real)


def test_the_kernel_is_under_a_third_of_the_code():
    def lines(paths):
        return sum(len(p.read_text(encoding="utf-8").splitlines()) for p in paths)

    kernel = [
        p
        for name, p in MODULES.items()
        if name.startswith("portal.core")
        or name in ("portal", "portal.config", "portal.extensions", "portal.plugin")
    ]
    share = lines(kernel) / lines(SOURCES)
    assert share < 0.35, f"the kernel is {share:.0%} of the code"
