"""Roster composition: pick N organizations for a dialogue under quotas, greedily.

Pure functions over arrays of candidates. The objective of a roster S is

    topic coverage (mean over requested topics of the best member's coverage)
  + distinct countries / N
  + mean reciprocity over the pairs of S,

each term in [0, 1], less, with fair rotation in [0, 1],

    rotation * mean over the members of p / (p + 1)

where p is a member's number of participations in held dialogues of the last 24 months.
A newcomer (p = 0) costs nothing; at rotation 1 a member that took part once costs the
roster half of what one more country adds (1 / N), and the cost flattens towards a whole
country as p grows, so that among comparable candidates the newcomer wins while a
candidate who brings a missing topic still does. `min_newcomers` (members with p = 0) is
a minimum like the others. Feasibility is checked first. Then, as in the legacy greedy of the
sortition algorithms, each step serves the most urgent unmet minimum (the one with the
fewest candidates left per seat still needed) with the candidate of best gain, never
taking a seat that the remaining minimums need. Swaps repair any minimum still unmet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from partners_api.matching.scoring import top_rows


@dataclass(frozen=True)
class Quota:
    """A bound on how many members come from a group of candidates."""

    name: str  # e.g. "sector_min.academia"
    members: np.ndarray  # bool [C]: candidates in the group
    bound: int


@dataclass
class RosterProblem:
    """What to choose from and the rules: arrays are indexed by candidate position."""

    size: int
    ids: np.ndarray  # organization ids, for tie-breaking
    countries: np.ndarray  # int country number (>= 0) per candidate
    coverage: np.ndarray  # float [C, k]: coverage of each requested topic
    # R of one candidate with every candidate: dense, or as (positions, values) where not 0
    reciprocity: Callable[[int], np.ndarray | tuple[np.ndarray, np.ndarray]]
    minimums: Sequence[Quota] = ()
    maximums: Sequence[Quota] = ()
    max_per_country: int | None = None
    min_countries: int = 0
    include: Sequence[int] = ()
    participations: np.ndarray | None = None  # int [C]: in held dialogues, last 24 months
    rotation: float = 0.0

    @cached_property
    def fatigue(self) -> np.ndarray | None:
        """p / (p + 1) of every candidate, p its recent participations (None: not known)."""
        if self.participations is None:
            return None
        p = self.participations.astype(np.float64)
        return p / (p + 1)

    reserves: int = 0  # how many ranked reserves to return beside the roster

    @cached_property
    def covers(self) -> np.ndarray:
        """bool [C]: candidates covering at least one requested topic."""
        found = np.zeros(len(self.ids), dtype=bool)
        for column in self.coverage.T:  # as best_coverage, column by column
            found |= column != 0
        return found

    @cached_property
    def best_coverage(self) -> np.ndarray:
        """float [k]: the highest coverage of each requested topic among the candidates."""
        # Column by column: a reduction along the rows of [C, k] is many times slower.
        return np.array([column.max(initial=0.0) for column in self.coverage.T])

    @cached_property
    def least_fatigue(self) -> float:
        """The lowest fatigue among the candidates (0 when not known)."""
        return float(self.fatigue.min(initial=0.0)) if self.fatigue is not None else 0.0


class Infeasible(Exception):
    """No roster can meet a constraint; names the constraint."""

    def __init__(self, constraint: str, message: str) -> None:
        super().__init__(message)
        self.constraint = constraint
        self.message = message


@dataclass
class Roster:
    """The chosen candidates in order, and which quotas each one filled."""

    members: list[int]
    fills: dict[int, list[str]] = field(default_factory=dict)
    # Candidates not chosen, best first, each with the minimums it could keep.
    reserves: list[tuple[int, list[str]]] = field(default_factory=list)


def check_feasible(problem: RosterProblem) -> None:
    """Raise Infeasible naming the first constraint no roster can meet."""
    size, count = problem.size, len(problem.ids)
    if count < size:
        raise Infeasible("size", f"Only {count} candidates for {size} seats.")
    if len(problem.include) > size:
        raise Infeasible(
            "include",
            f"{len(problem.include)} organizations must be in, but there are only {size} seats.",
        )
    maximum = {q.name.partition(".")[2]: q.bound for q in problem.maximums}
    for quota in problem.minimums:
        available = int(quota.members.sum())
        if quota.bound > size:
            raise Infeasible(quota.name, f"Asks for {quota.bound} of {size} seats.")
        if available < quota.bound:
            raise Infeasible(
                quota.name, f"Asks for {quota.bound}, but only {available} candidates qualify."
            )
        group = quota.name.partition(".")[2]
        if quota.name.startswith("sector_min") and maximum.get(group, size) < quota.bound:
            raise Infeasible(
                quota.name, f"Minimum {quota.bound} exceeds the maximum {maximum[group]}."
            )
    sector_minimums = sum(q.bound for q in problem.minimums if q.name.startswith("sector_min"))
    if sector_minimums > size:
        raise Infeasible(
            "sector_min", f"Sector minimums add up to {sector_minimums}, more than {size} seats."
        )
    if problem.maximums and _covers_all(problem.maximums, count):
        room = sum(q.bound for q in problem.maximums)
        if room < size:
            raise Infeasible("sector_max", f"Sector maximums leave room for only {room}.")
    countries = np.count_nonzero(np.bincount(problem.countries))
    if problem.min_countries > min(size, countries):
        raise Infeasible(
            "min_countries",
            f"Asks for {problem.min_countries} countries; "
            f"{countries} among candidates, {size} seats.",
        )
    if problem.max_per_country is not None and problem.max_per_country * countries < size:
        raise Infeasible(
            "max_per_country",
            f"{problem.max_per_country} per country over "
            f"{countries} countries cannot fill {size} seats.",
        )
    _check_includes(problem)


def _covers_all(quotas: Sequence[Quota], count: int) -> bool:
    covered = np.zeros(count, dtype=bool)
    for quota in quotas:
        covered |= quota.members
    return bool(covered.all())


def _check_includes(problem: RosterProblem) -> None:
    include = list(problem.include)
    for quota in problem.maximums:
        inside = int(quota.members[include].sum()) if include else 0
        if inside > quota.bound:
            raise Infeasible(
                quota.name, f"The organizations that must be in already exceed {quota.bound}."
            )
    if problem.max_per_country is not None and include:
        most = int(np.bincount(problem.countries[include]).max())
        if most > problem.max_per_country:
            raise Infeasible(
                "max_per_country",
                "The organizations that must be in exceed the maximum per country.",
            )


LEADERS = 1024  # candidates of highest reciprocity with the members, kept to prune scoring
MARGIN = 1e-9  # far above the rounding error of a gain (a sum of a few terms of at most 1)


class _State:
    """A roster being built: counts, coverage and reciprocity sums kept up to date."""

    def __init__(self, problem: RosterProblem) -> None:
        self.problem = problem
        count = len(problem.ids)
        self.chosen = np.zeros(count, dtype=bool)
        self.members: list[int] = []
        self.cover = np.zeros(problem.coverage.shape[1])
        self.country_count: dict[int, int] = {}
        self.country_seen = np.zeros(int(problem.countries.max(initial=0)) + 1, dtype=bool)
        self.fresh = np.ones(count, dtype=bool)  # candidates of a country not seen yet
        self.r_with_members = np.zeros(count)
        self.pair_sum = 0.0
        self.fatigue = problem.fatigue if problem.rotation else None
        self.fatigue_sum = 0.0
        # Coverage gains of every candidate, for the roster's coverage they were made for.
        self._every_cover: tuple[np.ndarray, np.ndarray] | None = None
        # The LEADERS candidates of highest r_with_members (while fewer, all with r > 0).
        self.leaders = np.empty(0, dtype=np.int64)
        self.leading = np.zeros(count, dtype=bool)  # whether each candidate is a leader

    def add(self, row: int) -> None:
        self.pair_sum += self.r_with_members[row]
        found = self.problem.reciprocity(row)
        if isinstance(found, tuple):  # adding the zeros elsewhere would change nothing
            at, values = found
            self.r_with_members[at] += values
        else:
            at = np.flatnonzero(found)
            self.r_with_members += found
        self._keep_leaders(at)
        self.chosen[row] = True
        self.members.append(row)
        if self.fatigue is not None:
            self.fatigue_sum += float(self.fatigue[row])
        self.cover = np.maximum(self.cover, self.problem.coverage[row])
        country = int(self.problem.countries[row])
        self.country_count[country] = self.country_count.get(country, 0) + 1
        if not self.country_seen[country]:
            self.fresh = self.fresh & (self.problem.countries != country)  # not in place
        self.country_seen[country] = True

    def _keep_leaders(self, raised: np.ndarray) -> None:
        """Update the leaders once the r of these candidates grew: r never falls (R >= 0),
        so the leaders are among the former ones and the raised."""
        r = self.r_with_members
        rising = raised[r[raised] > self.leader_floor()]
        rising = rising[~self.leading[rising]]
        if not rising.size:
            return
        rows = np.concatenate([self.leaders, rising])
        if rows.size > LEADERS:
            self.leading[rows] = False
            rows = rows[np.argpartition(r[rows], rows.size - LEADERS)[rows.size - LEADERS :]]
        self.leading[rows] = True
        self.leaders = rows

    def leader_floor(self) -> float:
        """The highest r a candidate outside the leaders can have."""
        if self.leaders.size < LEADERS:
            return 0.0
        return float(self.r_with_members[self.leaders].min())

    def contenders(self, pool: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray] | None:
        """Candidates among which are the `count` of pool (bool [C]) of highest gain, and
        their gains; None when the leaders cannot show it (then every candidate must be
        scored).

        A gain is at most gain_ceiling + r / pairs. The count-th best gain among the
        leaders in pool is at most the pool's; a candidate whose r cannot reach it is left
        out, and when that r lies above the leader floor, only leaders can.
        """
        m = len(self.members) + 1
        pairs = m * (m - 1) / 2
        leaders = self.leaders[pool[self.leaders]]
        if not pairs or leaders.size < count:
            return None
        gains = self.gains(leaders)
        floor = np.partition(gains, leaders.size - count)[leaders.size - count]
        least_r = (floor - self.gain_ceiling(pool, m, pairs) - MARGIN) * pairs
        if least_r <= self.leader_floor():
            return None
        kept = self.r_with_members[leaders] >= least_r
        return leaders[kept], gains[kept]

    def gain_ceiling(self, pool: np.ndarray, m: int, pairs: float) -> float:
        """At least the gain of any candidate of pool less its r / pairs (but for rounding):
        the best coverage, a new country if pool has one, the least fatigue."""
        problem = self.problem
        k = problem.coverage.shape[1]
        cover = np.maximum(problem.best_coverage, self.cover).sum() / k if k else 0.0
        seen = len(self.country_count) + bool(np.logical_and(pool, self.fresh).any())
        ceiling = cover + seen / problem.size + self.pair_sum / pairs
        if self.fatigue is not None:
            ceiling -= problem.rotation * (self.fatigue_sum + problem.least_fatigue) / m
        return float(ceiling)

    def count_in(self, quota: Quota) -> int:
        return int(quota.members[self.members].sum()) if self.members else 0

    def gains(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Objective after adding each row, or every candidate when rows is None (the
        constant current value left out)."""
        problem = self.problem
        every = slice(None) if rows is None else rows
        seen = len(self.country_count)  # (seen + 1) / size where the country is new
        countries = np.where(self.fresh[every], (seen + 1) / problem.size, seen / problem.size)
        m = len(self.members) + 1
        pairs = m * (m - 1) / 2
        gains = self._cover_gains(rows) + countries
        if pairs:  # mean reciprocity: (pair_sum + r) / pairs, made in place
            mean_r = np.add(self.r_with_members[every], self.pair_sum, out=countries)
            gains += np.divide(mean_r, pairs, out=mean_r)
        return gains - self._rotation_cost(every, m)

    def _cover_gains(self, rows: np.ndarray | None) -> np.ndarray | float:
        """Mean coverage of the requested topics after adding each row (or every one).

        Computed only for candidates covering a requested topic: for the others it is the
        roster's own, the same value a row of zeros gives by the same operations. Those of
        every candidate are kept until the roster's coverage changes (a member adding a
        topic), after which they are made again.
        """
        problem = self.problem
        k = problem.coverage.shape[1]
        if not k:
            return 0.0
        if rows is None:
            if self._every_cover is None or not np.array_equal(self._every_cover[0], self.cover):
                self._every_cover = (self.cover, self._cover_gains(np.arange(len(problem.ids))))
            return self._every_cover[1]
        into = np.flatnonzero(problem.covers[rows])
        values = np.full(len(rows), self.cover.sum() / k)
        values[into] = np.maximum(problem.coverage[rows[into]], self.cover).sum(axis=1) / k
        return values

    def _rotation_cost(self, rows: np.ndarray, m: int) -> np.ndarray | float:
        """rotation * mean fatigue of the members once each row is added."""
        if self.fatigue is None:
            return 0.0
        return self.problem.rotation * (self.fatigue_sum + self.fatigue[rows]) / m

    def unmet(self) -> list[tuple[str, np.ndarray, int]]:
        """(name, candidates that help, seats still needed) for every unmet minimum."""
        needs = [(q.name, q.members, q.bound - self.count_in(q)) for q in self.problem.minimums]
        countries_needed = self.problem.min_countries - len(self.country_count)
        if countries_needed > 0:
            needs.append(("min_countries", self.fresh, countries_needed))
        return [(name, members, need) for name, members, need in needs if need > 0]

    def allowed(self) -> np.ndarray:
        """Candidates not chosen whose addition breaks no maximum."""
        mask = ~self.chosen
        for quota in self.problem.maximums:
            if self.count_in(quota) >= quota.bound:
                mask &= ~quota.members
        if self.problem.max_per_country is not None:
            full = [c for c, n in self.country_count.items() if n >= self.problem.max_per_country]
            mask &= ~np.isin(self.problem.countries, full)
        return mask


def compose(problem: RosterProblem) -> Roster:
    """Check feasibility, choose greedily, repair with swaps; return the roster."""
    check_feasible(problem)
    state = _State(problem)
    fills: dict[int, list[str]] = {}
    for row in problem.include:
        fills[row] = _filled(state, row)
        state.add(row)
    while len(state.members) < problem.size:
        row = _next_member(state)
        if row is None:
            break
        fills[row] = _filled(state, row)
        state.add(row)
    state = _repair(state)
    return Roster(
        members=state.members,
        fills={r: fills.get(r, _filled_now(state, r)) for r in state.members},
        reserves=_reserves(state, problem.reserves),
    )


RESERVES_PER_MINIMUM = 3


def _reserves(state: _State, count: int) -> list[tuple[int, list[str]]]:
    """Ranked reserves: candidates not chosen by their gain to the roster as it stands.

    The best `count`, and, so that a declined seat of every minimum can be filled
    again, at least the best RESERVES_PER_MINIMUM of each minimum's group; each with
    the minimums it counts towards (which it keeps if it replaces a member of them).
    """
    if count <= 0:
        return []
    problem = state.problem
    free = ~state.chosen
    picked = set(_leading(state, free, count).tolist())
    for quota in problem.minimums:
        picked.update(_leading(state, quota.members & free, RESERVES_PER_MINIMUM).tolist())
    rows = np.array(sorted(picked), dtype=np.int64)
    ranked = rows[np.lexsort((problem.ids[rows], -state.gains(rows)))]
    return [(int(row), _filled_now(state, int(row))) for row in ranked]


def _filled(state: _State, row: int) -> list[str]:
    """The unmet minimums this candidate would help with."""
    return [name for name, members, _ in state.unmet() if members[row]]


def _filled_now(state: _State, row: int) -> list[str]:
    """Quotas a member counts towards (for members brought in by a repair swap)."""
    return [q.name for q in state.problem.minimums if q.members[row]]


def _next_member(state: _State) -> int | None:
    """The best candidate for the next seat (None when no candidate may take it)."""
    best = _leading(state, _pool(state), 1)
    return int(best[0]) if best.size else None


def _pool(state: _State) -> np.ndarray:
    """bool [C]: the candidates of the most urgent unmet minimum, or all allowed when every
    minimum is met.

    Urgency is seats still needed per candidate left who could fill them. While any
    minimum is unmet every seat goes to one, so no seat is spent that a minimum needs.
    """
    allowed = state.allowed()
    pool = allowed
    unmet = state.unmet()
    if unmet:
        _, _, helps = max(
            (
                (need / max(1, np.count_nonzero(members & allowed)), name, members)
                for name, members, need in unmet
            ),
            key=lambda u: (u[0], u[1]),
        )
        if (helps & allowed).any():
            pool = helps & allowed  # otherwise the repair swaps deal with it
    return pool


def _leading(state: _State, pool: np.ndarray, count: int) -> np.ndarray:
    """The `count` candidates of pool (bool [C]) of highest gain, best first, the lowest id
    first among equal gains (as a sort by both would give)."""
    found = state.contenders(pool, count)
    if found is not None:
        rows, gains = found
    else:  # every candidate's gain: cheaper than gathering the pool's rows first
        rows = np.flatnonzero(pool)
        gains = state.gains()[rows] if rows.size else np.empty(0)
    return rows[top_rows(gains, state.problem.ids[rows], np.arange(rows.size), count)]


def _repair(state: _State, max_swaps: int = 50) -> _State:
    """Swap members out for candidates that meet a still-unmet minimum."""
    locked = set(state.problem.include)
    for _ in range(max_swaps):
        unmet = state.unmet()
        if not unmet:
            break
        _, helps, _ = unmet[0]
        before = {n for n, _, _ in unmet}
        best: tuple[float, _State] | None = None
        for out in (m for m in state.members if m not in locked):
            trial = _without(state, out)
            if {n for n, _, _ in trial.unmet()} - before:
                continue  # removing it would break a minimum that held
            found = _leading(trial, trial.allowed() & helps, 1)
            if found.size == 0:
                continue
            into = int(found[0])
            gain = float(trial.gains(np.array([into]))[0])
            if best is None or gain > best[0]:
                trial.add(into)
                best = (gain, trial)
        if best is None:
            break
        state = best[1]
    return state


def _without(state: _State, row: int) -> _State:
    """A fresh state holding every member but one."""
    trial = _State(state.problem)
    for member in state.members:
        if member != row:
            trial.add(member)
    return trial


def objective(problem: RosterProblem, members: Sequence[int]) -> float:
    """The objective of a whole roster (used to compare with other rosters)."""
    state = _State(problem)
    for row in members[:-1]:
        state.add(row)
    return float(state.gains(np.array([members[-1]]))[0])


def constraint_report(problem: RosterProblem, members: Sequence[int]) -> list[dict]:
    """Every constraint with its target, the roster's actual value, and whether it holds."""
    rows = list(members)

    def inside(quota: Quota) -> int:
        return int(quota.members[rows].sum()) if rows else 0

    report = [
        {
            "name": "size",
            "target": problem.size,
            "actual": len(rows),
            "satisfied": len(rows) == problem.size,
        }
    ]
    report += [
        {"name": q.name, "target": q.bound, "actual": inside(q), "satisfied": inside(q) >= q.bound}
        for q in problem.minimums
    ]
    report += [
        {"name": q.name, "target": q.bound, "actual": inside(q), "satisfied": inside(q) <= q.bound}
        for q in problem.maximums
    ]
    countries = problem.countries[rows] if rows else np.empty(0, dtype=np.int64)
    if problem.max_per_country is not None:
        most = int(np.bincount(countries).max()) if rows else 0
        report.append(
            {
                "name": "max_per_country",
                "target": problem.max_per_country,
                "actual": most,
                "satisfied": most <= problem.max_per_country,
            }
        )
    if problem.min_countries:
        distinct = len(np.unique(countries))
        report.append(
            {
                "name": "min_countries",
                "target": problem.min_countries,
                "actual": distinct,
                "satisfied": distinct >= problem.min_countries,
            }
        )
    if problem.include:
        kept = len(set(problem.include) & set(rows))
        report.append(
            {
                "name": "include",
                "target": len(problem.include),
                "actual": kept,
                "satisfied": kept == len(problem.include),
            }
        )
    return report
