"""How the code is shaped: the longest functions, and the import cycles among the
project's modules (counting imports made inside functions and under `if TYPE_CHECKING:`,
which hide a cycle rather than remove it).

    .venv/bin/python scripts/code_shape.py [--top 15] [--max-lines N] [ROOT]

Exits 1 when a cycle exists, or when a function is longer than --max-lines (if given),
so it can guard CI.
"""

from __future__ import annotations

import argparse
import ast
import sys
from dataclasses import dataclass
from pathlib import Path

PACKAGES = ("pmc", "proposals")


@dataclass(frozen=True)
class Function:
    module: str
    name: str
    lines: int
    line: int


@dataclass(frozen=True)
class Import:
    target: str
    line: int
    in_function: bool
    type_checking: bool


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_files(root: Path) -> dict[str, Path]:
    files = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            files[module_name(root, path)] = path
    return files


def functions(module: str, tree: ast.AST) -> list[Function]:
    found = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                found.append(
                    Function(module, name, child.end_lineno - child.lineno + 1, child.lineno)
                )
                visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")

    visit(tree, "")
    return found


def imports(module: str, tree: ast.AST, known: set[str]) -> list[Import]:
    """The project modules `module` imports, each with where."""
    package = (
        module if module in known and _is_package(module, known) else module.rpartition(".")[0]
    )
    found = []

    def visit(node: ast.AST, in_function: bool, type_checking: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    target = _resolve(alias.name, known)
                    if target:
                        found.append(Import(target, child.lineno, in_function, type_checking))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in child.names:
                    target = _resolve(f"{base}.{alias.name}", known) or _resolve(base, known)
                    if target:
                        found.append(Import(target, child.lineno, in_function, type_checking))
            else:
                visit(child, inside, type_checking or _type_checking_only(child))

    visit(tree, False, False)
    return [i for i in found if i.target != module]


def _type_checking_only(node: ast.AST) -> bool:
    """`if TYPE_CHECKING:`: imports for type checkers, never run, yet still a dependency
    (a module that needs another's types to be checked depends on it)."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    name = test.attr if isinstance(test, ast.Attribute) else getattr(test, "id", "")
    return name == "TYPE_CHECKING"


def _is_package(module: str, known: set[str]) -> bool:
    return any(other.startswith(module + ".") for other in known)


def _resolve(name: str, known: set[str]) -> str | None:
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def connect(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", nargs="?", default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--top", type=int, default=15, help="how many functions to list")
    parser.add_argument("--max-lines", type=int, help="fail when a function is longer")
    args = parser.parse_args()
    root = Path(args.root)
    files = project_files(root)
    known = set(files)
    every_function: list[Function] = []
    graph: dict[str, set[str]] = {}
    hidden: dict[tuple[str, str], int] = {}
    typing_only: dict[tuple[str, str], int] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        every_function += functions(module, tree)
        for imported in imports(module, tree, known):
            graph.setdefault(module, set()).add(imported.target)
            if imported.in_function:
                hidden[(module, imported.target)] = imported.line
            if imported.type_checking:
                typing_only[(module, imported.target)] = imported.line

    every_function.sort(key=lambda f: (-f.lines, f.module, f.name))
    print(f"Longest functions (of {len(every_function)}):")
    for function in every_function[: args.top]:
        print(f"  {function.lines:4d}  {function.module}.{function.name} (line {function.line})")

    found = cycles(graph)
    print(f"\nImport cycles: {len(found)}")
    for component in found:
        members = set(component)
        print(f"  {len(component)} modules: {', '.join(component)}")
        for (source, target), line in sorted(hidden.items()):
            if source in members and target in members:
                print(
                    f"    held open by a function-level import: {source} -> {target} (line {line})"
                )
        for (source, target), line in sorted(typing_only.items()):
            if source in members and target in members:
                print(f"    closed by a TYPE_CHECKING import: {source} -> {target} (line {line})")
    print(f"Function-level imports of project modules: {len(hidden)}")

    failed = bool(found)
    if args.max_lines is not None:
        too_long = [f for f in every_function if f.lines > args.max_lines]
        if too_long:
            print(f"\n{len(too_long)} function(s) longer than {args.max_lines} lines")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
