"""The ties through which awareness, evidence and learning travel.

Tie types (``docs/ODD.md`` §7): land-border neighbours (real data), the same county (municipalities with
each other and with their region), the same SKR group (similar municipalities), SKR's national networks
(membership drawn per run, more likely for large organisations), and ties that levers create (a peer review
ties reviewer and reviewed). The fixed types are sparse matrices built once and cached; national-network
membership is a per-run vector drawn from the model's generator. ``as_graph`` gives any of them as a
``networkx`` graph for inspection and visualisation; the dynamics use the matrices.
"""

from __future__ import annotations

from collections import namedtuple
from functools import lru_cache

import networkx as nx
import numpy as np
import scipy.sparse as sp
from numba import njit

from .organisations import AGENCY, MUNICIPALITY, REGION, Organisations, load_organisations, read_csv

FIXED_TIE_TYPES = ("neighbour", "county", "skr_group")
TIE_TYPES = FIXED_TIE_TYPES + ("national", "lever")

#: a run's ties as the compiled signals kernel reads them: clique types as group labels (types, n) with
#: their beta and log(1 - beta); land-border neighbours and lever-made ties as CSR arrays with weights
TieKernel = namedtuple("TieKernel", [
    "clique_labels", "clique_beta", "clique_log",
    "nb_indptr", "nb_indices", "nb_weights", "beta_neighbour", "log_neighbour",
    "lever_indptr", "lever_indices", "lever_weights", "beta_lever", "log_lever",
])


def _clique_matrix(groups: np.ndarray) -> sp.csr_matrix:
    """Ties between all pairs with the same non-negative group label."""
    n = len(groups)
    rows, cols = [], []
    for g in np.unique(groups[groups >= 0]):
        members = np.flatnonzero(groups == g)
        r, c = np.meshgrid(members, members, indexing="ij")
        keep = r != c
        rows.append(r[keep])
        cols.append(c[keep])
    if not rows:
        return sp.csr_matrix((n, n))
    r, c = np.concatenate(rows), np.concatenate(cols)
    return sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(n, n))


@lru_cache(maxsize=8)
def fixed_ties(regions: bool = True, agencies: bool = True) -> dict[str, sp.csr_matrix]:
    """The tie types that do not change between runs, as symmetric 0/1 CSR matrices."""
    orgs = load_organisations(regions, agencies)
    n = orgs.n
    index = {code: i for i, code in enumerate(orgs.code)}
    pairs = [(index[r["code_a"]], index[r["code_b"]]) for r in read_csv("municipality_adjacency.csv")]
    a, b = np.array(pairs).T
    neighbour = sp.csr_matrix((np.ones(2 * len(a)), (np.r_[a, b], np.r_[b, a])), shape=(n, n))
    in_county = np.where((orgs.kind == MUNICIPALITY) | (orgs.kind == REGION), orgs.county, -1)
    county = _clique_matrix(in_county.astype(int))
    skr = _clique_matrix(np.where(orgs.kind == MUNICIPALITY, orgs.skr_group, -1).astype(int))
    return {"neighbour": neighbour, "county": county, "skr_group": skr}


def draw_national_members(orgs: Organisations, scale: np.ndarray, share: float,
                          rng: np.random.Generator) -> np.ndarray:
    """Who takes part in SKR's national networks this run.

    Regions and agencies always do (SKR's regional networks, eSam); a municipality's odds grow with the
    square root of its size (``scale``, the model's population-equivalent, so a homogeneous world has
    equal odds) relative to the median municipality (001 L2412-2418: those that innovate broadly
    collaborate more). One uniform draw per organisation, whatever the share, keeps common random
    numbers across scenarios.
    """
    u = rng.random(orgs.n)
    muni = orgs.kind == MUNICIPALITY
    median = orgs.median_population  # scale of the median municipality, also in a homogeneous world
    p = np.where(muni, np.clip(share * np.sqrt(scale / median), 0.0, 1.0), 1.0)
    return u < p


def as_graph(matrix: sp.spmatrix | np.ndarray, orgs: Organisations) -> nx.Graph:
    """A networkx graph of one tie type, nodes labelled by organisation code with name and kind."""
    graph = nx.from_scipy_sparse_array(sp.csr_matrix(matrix))
    labels = {i: orgs.code[i] for i in range(orgs.n)}
    nx.set_node_attributes(graph, {i: orgs.name[i] for i in range(orgs.n)}, "name")
    nx.set_node_attributes(graph, {i: int(orgs.kind[i]) for i in range(orgs.n)}, "kind")
    return nx.relabel_nodes(graph, labels)


class Ties:
    """All of one run's ties, combined for the dynamics.

    Awareness needs ``sum_type log(1 - beta_type) * adopting ties of that type`` and social proof the
    beta-weighted share of ties that have adopted, among the ties to organisations the innovation applies
    to (so the share can reach one). County, SKR-group and national ties are cliques of a group, so their
    adopting-tie counts are group sums minus oneself: O(n) work instead of an n x n product. Only
    land-border neighbours (and lever-made ties) need a matrix.
    """

    def __init__(self, orgs: Organisations, options, params, members: np.ndarray, effects,
                 applicable: np.ndarray, counts_needed: bool = True) -> None:
        self.orgs = orgs
        self.effects = effects
        n, k = applicable.shape
        complete = options.complete
        in_county = (orgs.kind == MUNICIPALITY) | (orgs.kind == REGION)
        labels = {
            "county": np.where(in_county, orgs.county, -1),
            "skr_group": np.where(orgs.kind == MUNICIPALITY, orgs.skr_group, -1),
            "national": np.where(members, 0, -1),
        }
        wanted = {"county": options.county, "skr_group": options.skr_group, "national": options.national}
        betas = {"neighbour": params.beta_neighbour, "county": params.beta_county,
                 "skr_group": params.beta_skr_group, "national": params.beta_national,
                 "lever": params.beta_neighbour}
        if complete:  # everyone tied to everyone through one national clique: the Bass configuration
            labels, wanted = {"national": np.zeros(n, dtype=int)}, {"national": True}
        #: the clique types in use this run, by name: group label per organisation (-1: in no group)
        self.labels = {t: label.astype(np.int64) for t, label in labels.items() if wanted[t]}
        self.clique_labels = np.array(list(self.labels.values()), dtype=np.int64).reshape(len(self.labels), n)
        self.clique_beta = np.array([betas[t] for t in self.labels], dtype=float)
        self.clique_log = np.array([_log_miss(betas[t]) for t in self.labels], dtype=float)
        use_neighbours = options.neighbours and not complete
        self.neighbour = fixed_ties(*_org_flags(orgs))["neighbour"] if use_neighbours else sp.csr_matrix((n, n))
        self.nb_indptr = self.neighbour.indptr.astype(np.int64)
        self.nb_indices = self.neighbour.indices.astype(np.int64)
        self.beta_neighbour, self.log_neighbour = betas["neighbour"], _log_miss(betas["neighbour"])
        self.beta_lever, self.log_lever = betas["lever"], _log_miss(betas["lever"])
        # social proof's denominator: beta-weighted ties to organisations each innovation applies to
        self.applicable = applicable.astype(float)
        self.log_no_hear, self.proof, self.count = np.zeros((n, k)), np.zeros((n, k)), np.zeros((n, k))
        self.counts_needed = counts_needed  # the count of adopting ties is only read under complex contagion
        self.nb_weights = np.ones(len(self.nb_indices))
        self._lever_version = -1
        self.inverse_denominator = np.zeros((n, k))  # 1 / denominator, 0 where there is none
        self.refresh()

    def refresh(self) -> None:
        """Take in the ties levers created since the last call (a no-op when there are none)."""
        version = self.effects.lever_ties_version
        if version == self._lever_version:
            return
        self._lever_version = version
        rows, cols = self.effects.lever_tie_cells()  # sorted by row: compressed sparse rows directly
        self.lever_indptr = np.searchsorted(rows, np.arange(self.orgs.n + 1)).astype(np.int64)
        self.lever_indices = cols
        self.lever_weights = self.effects.lever_ties[rows, cols] if len(rows) else np.zeros(0)
        _, den, _ = self.signals(self.applicable, normalise=False)
        np.divide(1.0, den, out=self.inverse_denominator, where=den > 0)
        self.inverse_denominator[den <= 0] = 0.0

    def kernel_arguments(self) -> TieKernel:
        """What :func:`signals_kernel` needs besides the adopters and the output arrays."""
        self.refresh()
        return TieKernel(*(getattr(self, name) for name in TieKernel._fields))

    def signals(self, adopted: np.ndarray, normalise: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per organisation and innovation: the sum of log(1 - beta) over adopting ties (awareness), the
        beta-weighted share of applicable ties that adopted (simple contagion; with ``normalise=False``
        the beta-weighted sum) and the count of adopting ties (complex contagion). ``adopted`` is a float
        (n, k) 0/1 array; the arrays returned are reused by the next call."""
        signals_kernel(adopted, self.kernel_arguments(), self.log_no_hear, self.proof, self.count,
                       self.counts_needed, normalise, self.inverse_denominator)
        return self.log_no_hear, self.proof, self.count

    def graph(self, tie_type: str) -> nx.Graph:
        """One tie type of this run as a networkx graph (``neighbour``, ``county``, ``skr_group``,
        ``national`` or ``lever``); a type switched off in the scenario's world is a graph without edges."""
        n = self.orgs.n
        if tie_type == "neighbour":
            matrix = self.neighbour
        elif tie_type in self.labels:
            matrix = _clique_matrix(self.labels[tie_type])
        elif tie_type == "lever":
            matrix = self.effects.lever_ties
        elif tie_type in TIE_TYPES:
            matrix = sp.csr_matrix((n, n))
        else:
            raise KeyError(f"unknown tie type '{tie_type}'; known: {', '.join(TIE_TYPES)}")
        return as_graph(matrix, self.orgs)


@njit(cache=True, error_model="numpy")
def signals_kernel(adopted, ties, log_no_hear, proof, count, with_count, normalise, inverse_denominator):
    """Adopting ties of every type (``ties``: a :data:`TieKernel`), summed into the (n, k) signals the
    life cycle reads (the count of adopting ties only ``with_count``); ``proof`` is the beta-weighted sum,
    times ``inverse_denominator`` (the share of ties that adopted) when ``normalise``."""
    log_no_hear[:] = 0.0
    proof[:] = 0.0
    count[:] = 0.0
    _clique_signals(adopted, ties.clique_labels, ties.clique_beta, ties.clique_log, log_no_hear, proof, count,
                    with_count)
    _csr_signals(adopted, ties.nb_indptr, ties.nb_indices, ties.nb_weights, ties.beta_neighbour,
                 ties.log_neighbour, log_no_hear, proof, count, with_count)
    _csr_signals(adopted, ties.lever_indptr, ties.lever_indices, ties.lever_weights, ties.beta_lever,
                 ties.log_lever, log_no_hear, proof, count, with_count)
    if normalise:
        proof *= inverse_denominator


@njit(cache=True, error_model="numpy")
def _clique_signals(adopted, labels, betas, logs, log_no_hear, proof, count, with_count):
    """Add each clique type's adopting ties: the group's adopters minus oneself."""
    n, k = adopted.shape
    for c in range(labels.shape[0]):
        n_groups = labels[c].max() + 1
        sums = np.zeros((max(n_groups, 1), k))
        for i in range(n):
            g = labels[c, i]
            if g >= 0:
                for j in range(k):
                    sums[g, j] += adopted[i, j]
        for i in range(n):
            g = labels[c, i]
            if g >= 0:
                for j in range(k):
                    a = sums[g, j] - adopted[i, j]
                    log_no_hear[i, j] += logs[c] * a
                    proof[i, j] += betas[c] * a
                    if with_count:
                        count[i, j] += a


@njit(cache=True, error_model="numpy")
def _csr_signals(adopted, indptr, indices, weights, beta, log_miss, log_no_hear, proof, count, with_count):
    """Add adopting ties along a sparse weighted tie matrix (land-border neighbours, lever-made ties)."""
    n, k = adopted.shape
    for i in range(indptr.shape[0] - 1):
        for p in range(indptr[i], indptr[i + 1]):
            nb = indices[p]
            w = weights[p]
            for j in range(k):
                a = w * adopted[nb, j]
                log_no_hear[i, j] += log_miss * a
                proof[i, j] += beta * a
                if with_count:
                    count[i, j] += a


def _log_miss(beta: float) -> float:
    return float(np.log1p(-min(beta, 1 - 1e-12)))


def _org_flags(orgs: Organisations) -> tuple[bool, bool]:
    return bool((orgs.kind == REGION).any()), bool((orgs.kind == AGENCY).any())
