"""The diagram as a directed graph for the checks, with paths found by breadth-first search.

A link to or from a subgraph links its members: into the subgraph means into the members that
nothing inside it points to (its entries), out of it means out of the members that point to
nothing inside it (its exits). ``<-->`` links go both ways; invisible ``~~~`` links are layout
only and do not count; ``---`` counts in the direction it is written.
"""

from __future__ import annotations

from collections import deque

from interviewer.diagram.model import Diagram


class Graph:
    def __init__(self, diagram: Diagram):
        self.nodes: list[str] = list(diagram.nodes)
        self.out: dict[str, list[str]] = {n: [] for n in self.nodes}
        self.degree: dict[str, int] = dict.fromkeys(self.nodes, 0)
        ends = self._subgraph_ends(diagram)
        seen: set[tuple[str, str]] = set()
        for e in diagram.edges:
            if e.style == "invisible":
                continue
            pairs = [(s, d) for s in ends.get(e.src, ({e.src},))[-1] for d in ends.get(e.dst, ({e.dst},))[0]]
            if e.arrow == "both":
                pairs += [(d, s) for s, d in pairs]
            for s, d in pairs:
                if s in self.out and d in self.out and (s, d) not in seen:
                    seen.add((s, d))
                    self.out[s].append(d)
                    self.degree[s] += 1
                    self.degree[d] += 1

    @staticmethod
    def _subgraph_ends(diagram: Diagram) -> dict[str, tuple[set[str], set[str]]]:
        """subgraph id -> (entry members, exit members)."""
        ends = {}
        for sid in diagram.subgraphs:
            members = set(diagram.members(sid))
            has_in, has_out = set(), set()
            for e in diagram.edges:
                if e.src in members and e.dst in members and e.style != "invisible":
                    has_out.add(e.src)
                    has_in.add(e.dst)
                    if e.arrow == "both":
                        has_out.add(e.dst)
                        has_in.add(e.src)
            ends[sid] = ((members - has_in) or members, (members - has_out) or members)
        return ends

    def add_reverse(self, keep) -> Graph:
        """A copy where each edge u -> v with keep(u, v) also runs v -> u."""
        g = Graph.__new__(Graph)
        g.nodes, g.degree = self.nodes, self.degree
        g.out = {n: list(ms) for n, ms in self.out.items()}
        for u, ms in self.out.items():
            for v in ms:
                if keep(u, v) and u not in g.out[v]:
                    g.out[v].append(u)
        return g

    def isolated(self) -> list[str]:
        return [n for n in self.nodes if self.degree[n] == 0]

    def path(self, stages: list[set[str]]) -> list[str] | None:
        """The shortest walk visiting a node of each stage in order (one stage per node), or None."""
        if not stages:
            return None
        last = len(stages) - 1
        parent: dict[tuple[str, int], tuple[str, int] | None] = {}
        queue: deque[tuple[str, int]] = deque()
        for n in self.nodes:
            if n in stages[0]:
                if last == 0:
                    return [n]
                parent[(n, 0)] = None
                queue.append((n, 0))
        while queue:
            n, k = queue.popleft()
            for m in self.out[n]:
                for nk in ((k + 1, k) if m in stages[k + 1] else (k,)):
                    state = (m, nk)
                    if state in parent:
                        continue
                    parent[state] = (n, k)
                    if nk == last:
                        return self._walk(parent, state)
                    queue.append(state)
        return None

    @staticmethod
    def _walk(parent, state) -> list[str]:
        out = []
        while state is not None:
            out.append(state[0])
            state = parent[state]
        return out[::-1]
