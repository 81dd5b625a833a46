"""The distance between two Kommunen, in plain Python, and the k nearest to a reference.

Plain floats, not numpy: a query answered from the index cache then never imports numpy (a fifth
of `kommunen similar`'s time), and the search scores only the Kommunen whose population alone
cannot put them out of the k nearest (a few dozen of 11,000, well below a millisecond).
similar.SimilarityModel.terms computes the same distances for all rows at once, in numpy.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from heapq import heappush, heapreplace
from typing import TYPE_CHECKING

from kommunen.places.columns import Columns

if TYPE_CHECKING:
    import numpy as np

# Settlement type: Textkennzeichen → (rank, label). The rank difference is the type distance.
SIEDLUNGSTYP = {
    "61": (3, "kreisfreie Stadt"),
    "62": (3, "kreisfreie Stadt"),
    "67": (2, "große Kreisstadt"),
    "63": (1, "Stadt"),
    "60": (0, "Gemeinde"),
    "64": (0, "Gemeinde"),
    "65": (0, "Gemeinde"),
    "66": (0, "Gemeinde"),
    # Kreise (Satzart 40): a kreisfreie Stadt or Stadtkreis is a city, the others are rural or mixed
    "41": (3, "kreisfreie Stadt"),
    "42": (3, "Stadtkreis"),
    "43": (0, "Kreis"),
    "44": (0, "Landkreis"),
    "45": (0, "Regionalverband"),
}
TYPE_NAMES = {"kreisfrei": 3, "grosse-kreisstadt": 2, "stadt": 1, "gemeinde": 0}
EARTH_KM = 6371.0

# One unit of distance per feature: x2 population ≈ 2 units, x2 density ≈ 0.9, one type step 2.
SCALE_EINWOHNER = 0.15  # log10 units
SCALE_DICHTE = 0.35  # log10 units
WEIGHT_TYP = 2.0
WEIGHT_URBAN = 1.0
WEIGHT_LAND = 1.0  # Kreise only: another Land counts as much as one step of urbanisation
WEIGHT_MERKMAL = 2.0  # per robust standard deviation (IQR / 1.349) of the indicator over the index
MISSING_MERKMAL = (2 * WEIGHT_MERKMAL) ** 2  # a Kommune without a value: as if two deviations apart
FEATURES = ("Einwohnerzahl", "Dichte", "Siedlungstyp", "Verstädterung", "Land")

Weighed = Sequence[tuple[list[float], float]]  # INKAR indicators: (value per row, scale)


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance, as haversine_km computes it (NaN where a centre is unknown)."""
    lat1, lon1, lat2, lon2 = (math.radians(v) for v in (lat1, lon1, lat2, lon2))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(a))


def haversine_km(lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float) -> np.ndarray:
    import numpy as np  # the matcher's columns, all rows at once

    lat1, lon1, lat2, lon2 = (np.radians(v) for v in (lat, lon, lat0, lon0))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(a))


def _bound(log_einwohner: float, reference: float) -> float:
    """The population term of a distance, as `distance_to` computes it: no distance is smaller."""
    a = (log_einwohner - reference) / SCALE_EINWOHNER
    return a * a


@dataclass(frozen=True, slots=True)
class Features:
    """Per row, in plain floats: what a distance is computed from, and the rows by population."""

    kreis: bool  # Kreise: the Land counts too
    einwohner: list[float]
    log_einwohner: list[float]
    log_dichte: list[float]
    rank: list[int]
    verstaedterung: list[float]
    land_key: list[str]
    by_einwohner: list[int]
    sorted_log_einwohner: list[float]

    @classmethod
    def of(cls, columns: Columns, ebene: str) -> Features:
        log_einwohner = [math.log10(e) for e in columns.einwohner]
        order = sorted(range(len(log_einwohner)), key=log_einwohner.__getitem__)
        return cls(
            kreis=ebene == "kreis",
            einwohner=columns.einwohner,
            log_einwohner=log_einwohner,
            log_dichte=[math.log10(max(d, 1.0)) for d in columns.dichte],
            rank=[SIEDLUNGSTYP.get(t, (0, ""))[0] for t in columns.textkennzeichen],
            verstaedterung=columns.verstaedterung,
            land_key=columns.land_key,
            by_einwohner=order,
            sorted_log_einwohner=[log_einwohner[i] for i in order],
        )

    def terms(self, i: int, r: int, merkmale: Weighed = ()) -> list[float]:
        """The squared scaled differences of row i to row r, one per feature of FEATURES, then one
        per weighed indicator."""
        differences = (
            (self.log_einwohner[i] - self.log_einwohner[r]) / SCALE_EINWOHNER,
            (self.log_dichte[i] - self.log_dichte[r]) / SCALE_DICHTE,
            WEIGHT_TYP * (self.rank[i] - self.rank[r]),
            WEIGHT_URBAN * (self.verstaedterung[i] - self.verstaedterung[r]),
            WEIGHT_LAND * (self.kreis and self.land_key[i] != self.land_key[r]),
        )
        terms = [d * d for d in differences]
        for wert, scale in merkmale:
            diff = WEIGHT_MERKMAL * (wert[i] - wert[r]) / scale
            terms.append(MISSING_MERKMAL if math.isnan(diff) else diff * diff)
        return terms

    def distance_to(self, r: int, merkmale: Weighed) -> Callable[[int], float]:
        """Row → the sum of its terms to r, added in the same order (inf for NaN). Written out: it
        runs for every row visited."""
        log_e, log_d, rank, urban, land = (
            self.log_einwohner,
            self.log_dichte,
            self.rank,
            self.verstaedterung,
            self.land_key,
        )
        kreis = self.kreis
        log_e_r, log_d_r, rank_r, urban_r, land_r = log_e[r], log_d[r], rank[r], urban[r], land[r]

        def distance(i: int) -> float:
            a = (log_e[i] - log_e_r) / SCALE_EINWOHNER
            b = (log_d[i] - log_d_r) / SCALE_DICHTE
            c = WEIGHT_TYP * (rank[i] - rank_r)
            d = WEIGHT_URBAN * (urban[i] - urban_r)
            total = a * a + b * b + c * c + d * d
            if kreis and land[i] != land_r:
                total += WEIGHT_LAND**2
            for wert, scale in merkmale:
                diff = WEIGHT_MERKMAL * (wert[i] - wert[r]) / scale
                total += MISSING_MERKMAL if math.isnan(diff) else diff * diff
            return total if total == total else math.inf  # NaN is not equal to itself

        return distance

    def nearest(
        self, refs: list[int], merkmale: Weighed, order: list[int], k: int
    ) -> dict[int, tuple[float, int]]:
        """Row → (its distance, its nearest reference, the first of equally near ones as argmin) for
        the k nearest rows of `order` (rows in order of population), none of them a reference; a few
        more where there are several references: the k nearest to each, among which are the k
        nearest to any."""
        logs = (
            self.sorted_log_einwohner
            if order is self.by_einwohner
            else [self.log_einwohner[i] for i in order]
        )
        rows = {
            i: (score, r)
            for r in refs
            for score, i in self._nearest_to(r, merkmale, order, logs, set(refs), k)
        }
        if len(refs) > 1:
            distances = [self.distance_to(r, merkmale) for r in refs]
            for i in rows:
                score, j = min((distance(i), j) for j, distance in enumerate(distances))
                rows[i] = (score, refs[j])
        return rows

    def _nearest_to(
        self, r: int, merkmale: Weighed, order: list[int], logs: list[float], excluded: set[int], k: int
    ) -> list[tuple[float, int]]:
        """(distance, row) of the k rows of `order` nearest to reference r.

        The rows are visited outwards from r in order of population, nearer first: a row's population
        term alone is a lower bound of its distance, so once the next row's bound exceeds the k-th
        distance found, no row left can be nearer. Of equally near rows the larger wins, then the
        first by AGS, as `find` orders them."""
        distance = self.distance_to(r, merkmale)
        einwohner, log_r = self.einwohner, self.log_einwohner[r]
        best: list[tuple[float, float, int]] = []  # (-distance, inhabitants, -row): the worst first
        hi = bisect_left(logs, log_r)
        lo = hi - 1
        low = _bound(logs[lo], log_r) if lo >= 0 else math.inf
        high = _bound(logs[hi], log_r) if hi < len(logs) else math.inf
        while low < math.inf or high < math.inf:
            if low <= high:
                bound, i, lo = low, order[lo], lo - 1
                low = _bound(logs[lo], log_r) if lo >= 0 else math.inf
            else:
                bound, i, hi = high, order[hi], hi + 1
                high = _bound(logs[hi], log_r) if hi < len(logs) else math.inf
            if len(best) == k and bound > -best[0][0]:
                break
            if i in excluded:
                continue
            item = (-distance(i), einwohner[i], -i)
            if len(best) < k:
                heappush(best, item)
            elif item > best[0]:
                heapreplace(best, item)
        return [(-negative, -i) for negative, _, i in best]
