"""An exact feasibility check for admission: can every admitted vendor still be seated?

Vendors and free booths are grouped into types (category and needs; allowed categories and
facilities), and a max-flow between vendor types and booth types says whether one more vendor of a
type fits without unseating anyone already admitted.
"""

from __future__ import annotations

from collections import Counter

__all__ = ["TypeFlow"]


class TypeFlow:
    """Max flow from vendor types to booth types, answering "can all of them still be seated?".

    Hard rules depend on a vendor only through (category, needs electricity, needs access) and on
    a booth only through (allowed categories, electricity, access), so seating is a transport
    problem between a few dozen types, not thousands of vendors. Adding one vendor is one
    augmenting-path search on that small graph.
    """

    def __init__(self, ok: list[list[bool]], capacity: list[int]) -> None:
        self.edges = [[bt for bt, fine in enumerate(row) if fine] for row in ok]
        self.capacity = capacity
        self.used = [0] * len(capacity)
        self.flow: list[Counter[int]] = [Counter() for _ in ok]
        self.holders: list[set[int]] = [set() for _ in capacity]

    def add(self, vt: int, amount: int = 1) -> int:
        """Seat up to ``amount`` more vendors of type ``vt``; return how many fit."""
        pushed = 0
        while pushed < amount:
            path = self._path(vt)
            if path is None:
                break
            step = min(amount - pushed, self.capacity[path[-1]] - self.used[path[-1]])
            for i in range(1, len(path) - 1, 2):  # backward edges: booth path[i] → vendor path[i+1]
                step = min(step, self.flow[path[i + 1]][path[i]])
            for i in range(0, len(path) - 1, 2):
                v, b = path[i], path[i + 1]
                self.flow[v][b] += step
                self.holders[b].add(v)
                if i + 2 < len(path):
                    w = path[i + 2]
                    self.flow[w][b] -= step
                    if self.flow[w][b] == 0:
                        self.holders[b].discard(w)
            self.used[path[-1]] += step
            pushed += step
        return pushed

    def _path(self, vt: int) -> list[int] | None:
        parent_b: dict[int, int] = {}
        parent_v: dict[int, int] = {vt: -1}
        queue = [vt]
        for v in queue:
            for b in self.edges[v]:
                if b in parent_b:
                    continue
                parent_b[b] = v
                if self.used[b] < self.capacity[b]:
                    path = [b]
                    while True:
                        v0 = parent_b[path[-1]]
                        path.append(v0)
                        if parent_v[v0] < 0:
                            return path[::-1]
                        path.append(parent_v[v0])
                for w in sorted(self.holders[b]):
                    if w not in parent_v:
                        parent_v[w] = b
                        queue.append(w)
        return None
