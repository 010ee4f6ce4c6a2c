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
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from ..environment import njit

from ..kernelcall import BoundKernel
from . import lever_ties
from .organisations import KIND_NAMES, MUNICIPALITY, REGION, Organisations, load_organisations, read_csv

if TYPE_CHECKING:  # networkx only for graphs of the ties (tests, notebooks): a run does not import it
    import networkx as nx

FIXED_TIE_TYPES = ("neighbour", "county", "skr_group")
TIE_TYPES = FIXED_TIE_TYPES + ("national", "lever")


def proof_weights(params) -> dict[str, float]:
    """Weight of one tie of each type in social proof, the same for simple and complex contagion (a land
    border weighs 1; a lever-made tie also its own weight). Proof travels over the ties between particular
    organisations that see each other's practice: land borders (assumption; neighbour effects in policy
    diffusion, Berry & Berry 1990) and the ties levers make (peer reviews, job shadowing: experience
    exchange is what moves practice, 000 L3019-3028). The cliques carry awareness only: networks, meetings
    and good examples inform but are not enough for change (000 L2353-2357, L2479-2494), and collaboration
    between municipalities is little used in digitalisation (004 L1798-1804), so a county tie weighs
    ``county_tie_strength`` (0 by default) and SKR-group and national ties nothing. Within a clique every
    adopter is seen by every member, where a threshold is reached as easily as one tie (Centola & Macy
    2007), and a share over cliques of 150 is diluted (issue 20)."""
    return {"neighbour": 1.0, "county": float(params.county_tie_strength), "skr_group": 0.0, "national": 0.0,
            "lever": 1.0}

#: a run's ties as the compiled signals kernel reads them: clique types as group labels (types, n) with
#: their log(1 - beta) (awareness) and social-proof weight (:func:`proof_weights`); land-border neighbours
#: and lever-made ties as CSR arrays with their tie weights, and each type's proof weight and log(1 - beta)
TieKernel = namedtuple("TieKernel", [
    "clique_labels", "clique_log", "clique_weight",
    "nb_indptr", "nb_indices", "nb_weights", "weight_neighbour", "log_neighbour",
    "lever_indptr", "lever_indices", "lever_weights", "weight_lever", "log_lever",
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


def _region_borders(orgs, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Land borders between regions, derived from the municipalities' (``a``, ``b``: indices of bordering
    municipalities): two regions border where a municipality of one borders a municipality of the other.
    Regions are the organisations that run remote care; without these ties their social proof would come from
    lever-made ties alone. Returns the pairs (each once) as index arrays."""
    region_of = {int(orgs.county[i]): i for i in np.flatnonzero(orgs.kind == REGION)}
    pairs = {(min(ca, cb), max(ca, cb)) for ca, cb in zip(orgs.county[a].tolist(), orgs.county[b].tolist())
             if ca != cb and ca in region_of and cb in region_of}
    ra = np.array([region_of[ca] for ca, _ in sorted(pairs)], dtype=np.int64)
    rb = np.array([region_of[cb] for _, cb in sorted(pairs)], dtype=np.int64)
    return ra, rb


@lru_cache(maxsize=16)
def fixed_ties(key: tuple = (True, True, ())) -> dict[str, sp.csr_matrix]:
    """The tie types that do not change between runs, as symmetric 0/1 CSR matrices, for the world
    ``load_organisations(*key)``."""
    orgs = load_organisations(*key)
    n = orgs.n
    index = {code: i for i, code in enumerate(orgs.code)}
    pairs = [(index[r["code_a"]], index[r["code_b"]]) for r in read_csv("municipality_adjacency.csv")]
    a, b = np.array(pairs).T
    ra, rb = _region_borders(orgs, a, b)
    a, b = np.r_[a, ra], np.r_[b, rb]
    neighbour = sp.csr_matrix((np.ones(2 * len(a)), (np.r_[a, b], np.r_[b, a])), shape=(n, n))
    in_county = np.where((orgs.kind == MUNICIPALITY) | (orgs.kind == REGION), orgs.county, -1)
    county = _clique_matrix(in_county.astype(int))
    skr = _clique_matrix(np.where(orgs.kind == MUNICIPALITY, orgs.skr_group, -1).astype(int))
    return {"neighbour": neighbour, "county": county, "skr_group": skr}


def rewired(matrix: sp.csr_matrix, share: float, rng: np.random.Generator) -> sp.csr_matrix:
    """``matrix`` (symmetric 0/1) with a ``share`` of its ties turned into random long ties by double edge
    swaps (a-b, c-d become a-d, c-b), which keep every organisation's number of ties: the same influence,
    spread over the country instead of clustered among neighbours (Watts & Strogatz 1998; Centola & Macy
    2007 compare contagion on exactly these two kinds of network). ``share`` 0 returns ``matrix``."""
    if share <= 0:
        return matrix
    upper = sp.triu(matrix, k=1).tocoo()
    a, b = upper.row.astype(np.int64).copy(), upper.col.astype(np.int64).copy()
    m = len(a)
    edges = {(int(x), int(y)) for x, y in zip(a, b)}
    touched = np.zeros(m, dtype=bool)
    target = int(round(share * m))
    for _ in range(20 * m):
        if touched.sum() >= target:
            break
        e, f = rng.integers(m, size=2)
        if e == f:
            continue
        p, q, r, s_ = a[e], b[e], a[f], b[f]
        if rng.random() < 0.5:
            r, s_ = s_, r
        if len({p, q, r, s_}) < 4:
            continue
        new1, new2 = (min(p, s_), max(p, s_)), (min(r, q), max(r, q))
        if new1 in edges or new2 in edges:
            continue
        edges.discard((min(p, q), max(p, q)))
        edges.discard((min(r, s_), max(r, s_)))
        edges.update((new1, new2))
        a[e], b[e], a[f], b[f] = new1[0], new1[1], new2[0], new2[1]
        touched[e] = touched[f] = True
    n = matrix.shape[0]
    return sp.csr_matrix((np.ones(2 * m), (np.r_[a, b], np.r_[b, a])), shape=(n, n))


def draw_national_members(orgs: Organisations, scale: np.ndarray, share: float,
                          rng: np.random.Generator) -> np.ndarray:
    """Who would take part in the national networks this run, if the world has their host.

    Regions and agencies always do (SKR's regional networks, eSam); a municipality takes part with
    probability ``share`` times the square root of its size relative to the median municipality (``scale``,
    the model's population-equivalent, so a homogeneous world has equal odds). Organisations that work
    broadly with innovation collaborate more with external actors (001 L2412-2418); that membership grows
    with the square root of size is an assumption. One uniform draw per organisation, whatever the share,
    keeps common random numbers across scenarios.
    """
    u = rng.random(orgs.n)
    muni = orgs.kind == MUNICIPALITY
    median = orgs.median_population  # scale of the median municipality, also in a homogeneous world
    p = np.where(muni, np.clip(share * np.sqrt(scale / median), 0.0, 1.0), 1.0)
    return u < p


def national_labels(orgs: Organisations, members: np.ndarray) -> np.ndarray:
    """Each organisation's national network (the row of its host), or -1.

    A national network exists only while its host is in the world (``hosts`` in ``agencies.csv``: SKR hosts
    the networks of municipalities and regions, eSam that of agencies); a host belongs to its own network,
    and ``members`` says who of the others takes part (:func:`draw_national_members`).
    """
    host_of_kind, hosts = _hosts(orgs.key)
    labels = np.where(members, host_of_kind[orgs.kind], -1).astype(np.int64)
    labels[hosts] = hosts
    return labels


@lru_cache(maxsize=16)
def _hosts(key: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Per kind of organisation the row of the host of its national network (-1: none in this world), and
    the rows of the hosts."""
    orgs = load_organisations(*key)
    host_of_kind = np.full(len(KIND_NAMES), -1, dtype=np.int64)
    hosts = np.array([i for i, h in enumerate(orgs.hosts) if h], dtype=np.int64)
    for host in hosts[::-1]:  # the first host listed for a kind wins
        for kind in orgs.hosts[host]:
            host_of_kind[KIND_NAMES.index(kind)] = host
    return host_of_kind, hosts


def as_graph(matrix: sp.spmatrix | np.ndarray, orgs: Organisations) -> nx.Graph:
    """A networkx graph of one tie type, nodes labelled by organisation code with name and kind."""
    import networkx as nx

    graph = nx.from_scipy_sparse_array(sp.csr_matrix(matrix))
    labels = {i: orgs.code[i] for i in range(orgs.n)}
    nx.set_node_attributes(graph, {i: orgs.name[i] for i in range(orgs.n)}, "name")
    nx.set_node_attributes(graph, {i: int(orgs.kind[i]) for i in range(orgs.n)}, "kind")
    return nx.relabel_nodes(graph, labels)


class Ties:
    """All of one run's ties, combined for the dynamics.

    Awareness needs ``sum_type log(1 - beta_type) * adopting ties of that type`` over all tie types. Social
    proof, for simple and complex contagion alike, reads the same ties with the same weights
    (:func:`proof_weights`: land borders and lever-made ties; county ties at ``county_tie_strength``): the
    weighted count of adopting ties (``local``) and its share of the weighted ties to organisations the
    innovation applies to (``proof``: the share can reach one). The two contagions differ only in the
    threshold the life cycle applies (``model.dynamics.lifecycle``): one adopting tie, or
    ``complex_threshold`` of weight (``complex_threshold_share`` of the ties).
    County, SKR-group and national ties are cliques of a group, so their adopting-tie counts are group
    sums minus oneself: O(n) work instead of an n x n product. Only land-border neighbours (and lever-made
    ties) need a matrix.
    """

    def __init__(self, orgs: Organisations, options, params, members: np.ndarray, effects,
                 applicable: np.ndarray, fraction: bool = False,
                 rng: np.random.Generator | None = None) -> None:
        self.orgs = orgs
        self.effects = effects
        n, k = applicable.shape
        complete = options.complete
        in_county = (orgs.kind == MUNICIPALITY) | (orgs.kind == REGION)
        labels = {
            "county": np.where(in_county, orgs.county, -1),
            "skr_group": np.where(orgs.kind == MUNICIPALITY, orgs.skr_group, -1),
            "national": national_labels(orgs, members),
        }
        wanted = {"county": options.county, "skr_group": options.skr_group, "national": options.national}
        betas = {"neighbour": params.beta_neighbour, "county": params.beta_county,
                 "skr_group": params.beta_skr_group, "national": params.beta_national,
                 "lever": params.beta_neighbour}
        weight = proof_weights(params)
        if complete:  # everyone tied to everyone through one national clique: the Bass configuration
            labels, wanted = {"national": np.zeros(n, dtype=int)}, {"national": True}
            weight["national"] = 1.0  # the one clique stands for all ties, proof included
        #: the clique types in use this run, by name: group label per organisation (-1: in no group)
        self.labels = {t: label.astype(np.int64) for t, label in labels.items() if wanted[t]}
        self.clique_labels = np.array(list(self.labels.values()), dtype=np.int64).reshape(len(self.labels), n)
        self.clique_log = np.array([_log_miss(betas[t]) for t in self.labels], dtype=float)
        self.clique_weight = np.array([weight[t] for t in self.labels], dtype=float)
        use_neighbours = options.neighbours and not complete
        if use_neighbours:
            self.neighbour = fixed_ties(orgs.key)["neighbour"]
            if options.rewire > 0:
                self.neighbour = rewired(self.neighbour, options.rewire, rng or np.random.default_rng(0))
        else:
            self.neighbour = sp.csr_matrix((n, n))
        self.nb_indptr = self.neighbour.indptr.astype(np.int64)
        self.nb_indices = self.neighbour.indices.astype(np.int64)
        self.weight_neighbour, self.log_neighbour = weight["neighbour"], _log_miss(betas["neighbour"])
        self.weight_lever, self.log_lever = weight["lever"], _log_miss(betas["lever"])
        self.applicable = applicable.astype(float)
        self.log_no_hear, self.proof, self.local = np.zeros((n, k)), np.zeros((n, k)), np.zeros((n, k))
        self.fraction = fraction  # complex contagion's threshold on the share of weighted ties (else a count)
        self.nb_weights = np.ones(len(self.nb_indices))
        self._lever_version = -1
        self.inverse_denominator = np.zeros((n, k))  # 1 / weighted applicable ties, 0 where there is none
        #: the signal kernel bound to this run's argument types (model.kernelcall), for :meth:`signals`; the
        #: lever ties' kernels, for :meth:`refresh` (called every quarter a lever ties organisations)
        self._signals_kernel = BoundKernel(signals_kernel)
        self._take_in = BoundKernel(lever_ties.take_in)
        self._fixed_denominator: np.ndarray | None = None  # (n, k): weighted applicable clique and border ties
        self._arguments: TieKernel | None = None  # kernel_arguments', made again once: the first ties
        self._lever_arguments: lever_ties.LeverTies | None = None  # lever_ties_arguments', made once
        self.refresh()

    def refresh(self) -> None:
        """Take in the ties levers created since the last call (a no-op when there are none): the new cells
        are merged in place into the lever ties' compressed sparse rows and only the rows they touch get their
        denominators again, in one compiled call (:func:`model.world.lever_ties.take_in`; a few new ties a
        quarter among thousands). The rows' arrays are made with room for every tie there can be (n x n,
        zeroed, written only where ties are) when levers first tie organisations, so from then on they are the
        same all run, as are the arguments of the kernels that read them (:meth:`kernel_arguments`)."""
        version = self.effects.lever_ties_version
        if version == self._lever_version:
            return
        self._lever_version = version
        if self._fixed_denominator is None:  # clique and neighbour ties never change: their part once
            n = self.orgs.n
            self.lever_indptr = np.zeros(n + 1, dtype=np.int64)
            self._indices, self._weights = np.zeros(0, dtype=np.int64), np.zeros(0)  # no tie yet
            self._fixed_denominator = np.zeros_like(self.proof)
            signals_kernel(self.applicable, self.kernel_arguments(refresh=False), np.zeros_like(self.proof),
                           self._fixed_denominator, self.local, False, self.inverse_denominator)
            # no lever ties yet: the fixed part alone, as the kernel computes it, without compiling it (and
            # announcing the levers' code) in a run without tie levers
            fixed, inverse = self._fixed_denominator, self.inverse_denominator
            inverse[:] = 0.0
            np.divide(1.0, fixed, out=inverse, where=fixed > 0)
        cells = self.effects.take_new_tie_cells()
        if len(cells):
            self._make_room()
            cells = np.sort(cells)  # by NumPy: numba's sort would take seconds to compile
            added = self._take_in(self.lever_indptr, self._indices, self._weights, cells, self.effects.lever_ties,
                                  self.applicable, self.weight_lever, self._fixed_denominator,
                                  self.inverse_denominator)
            assert added >= 0, "the lever ties' buffers hold every tie there can be"

    def _make_room(self) -> None:
        """At the first ties: room for every tie in the sparse rows' buffers (zeroed: pages no tie reaches are
        never touched), and the kernels' arguments made anew, once (no tie is read before one is taken in:
        making the room early changes nothing)."""
        if not len(self._indices):
            n = self.orgs.n
            self._indices, self._weights = np.zeros(n * n, dtype=np.int64), np.zeros(n * n)
            self._arguments = None

    def lever_ties_arguments(self) -> lever_ties.LeverTies:
        """The lever ties as compiled levers write and take them in (:data:`model.world.lever_ties.LeverTies`;
        :mod:`model.levers.compiled`), made once per run with the room for every tie; the ties they write are
        counted as taken in by :meth:`took_in`."""
        if self._lever_arguments is None:
            self.refresh()  # what Python's levers wrote so far
            self._make_room()
            self._lever_arguments = lever_ties.LeverTies(
                self.effects.lever_ties, self.lever_indptr, self._indices, self._weights, self.applicable,
                self.weight_lever, self._fixed_denominator, self.inverse_denominator, np.zeros(1, dtype=np.int64))
        return self._lever_arguments

    def took_in(self) -> None:
        """Count the writes compiled levers made and took in (:meth:`lever_ties_arguments`) as the run's
        lever-tie versions, taken in: as Python's quarters count them (one a quarter a lever ties)."""
        if self._lever_arguments is not None and self._lever_arguments.written[0]:
            self.effects.lever_ties_version += int(self._lever_arguments.written[0])
            self._lever_arguments.written[0] = 0
            self._lever_version = self.effects.lever_ties_version

    @property
    def lever_indices(self) -> np.ndarray:
        """(nnz,) int64 the columns of the lever ties' compressed sparse rows (``lever_indptr``), sorted
        within each row (a view of the buffer the kernels read)."""
        return self._indices[: self.lever_indptr[-1]]

    @property
    def lever_weights(self) -> np.ndarray:
        """(nnz,) the lever ties' weights, as :attr:`lever_indices` (a view)."""
        return self._weights[: self.lever_indptr[-1]]

    def kernel_arguments(self, refresh: bool = True) -> TieKernel:
        """What :func:`signals_kernel` needs besides the adopters and the output arrays: the same object
        until levers first tie organisations and from then on (the lever ties' buffers are then made with room
        for every tie and filled in place; the kernels read the rows up to ``lever_indptr``)."""
        if refresh:
            self.refresh()
        if self._arguments is None:
            self._arguments = TieKernel(
                clique_labels=self.clique_labels, clique_log=self.clique_log, clique_weight=self.clique_weight,
                nb_indptr=self.nb_indptr, nb_indices=self.nb_indices, nb_weights=self.nb_weights,
                weight_neighbour=self.weight_neighbour, log_neighbour=self.log_neighbour,
                lever_indptr=self.lever_indptr, lever_indices=self._indices, lever_weights=self._weights,
                weight_lever=self.weight_lever, log_lever=self.log_lever)
        return self._arguments

    def signals(self, adopted: np.ndarray, normalise: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per organisation and innovation: the sum of log(1 - beta) over adopting ties (awareness), the
        share of the weighted proof ties that adopted (read by complex contagion's fraction threshold; with
        ``normalise=False`` the weighted count) and, when ``normalise``, the weighted count of adopting
        proof ties (a land border 1: read by simple contagion and complex contagion's count threshold).
        ``adopted`` is a float (n, k) 0/1 array; the arrays returned are reused by the next call."""
        self._signals_kernel(adopted, self.kernel_arguments(), self.log_no_hear, self.proof, self.local,
                             normalise, self.inverse_denominator)
        return self.log_no_hear, self.proof, self.local

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


@njit(error_model="numpy", no_cfunc_wrapper=True)
def signals_kernel(adopted, ties, log_no_hear, proof, count, normalise, inverse_denominator):
    """Adopting ties of every type (``ties``: a :data:`TieKernel`), summed into the (n, k) signals the
    life cycle reads: ``log_no_hear`` (awareness: the sum of log(1 - beta) over adopting ties) and ``proof``
    (social proof: the weight-summed adopting proof ties, times ``inverse_denominator`` when ``normalise``:
    the share of the weighted proof ties that adopted). When ``normalise``, ``count`` gets the weighted sum
    itself, which the contagions' count thresholds read."""
    log_no_hear[:] = 0.0
    proof[:] = 0.0
    _clique_signals(adopted, ties.clique_labels, ties.clique_log, ties.clique_weight, log_no_hear, proof)
    _csr_signals(adopted, ties.nb_indptr, ties.nb_indices, ties.nb_weights, ties.weight_neighbour,
                 ties.log_neighbour, log_no_hear, proof)
    _csr_signals(adopted, ties.lever_indptr, ties.lever_indices, ties.lever_weights, ties.weight_lever,
                 ties.log_lever, log_no_hear, proof)
    if normalise:  # element by element: numba's whole-array product compiles a second of broadcasting code
        n, k = proof.shape
        for i in range(n):
            for j in range(k):
                count[i, j] = proof[i, j]
                proof[i, j] *= inverse_denominator[i, j]


@njit(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
def _clique_signals(adopted, labels, logs, weights, log_no_hear, proof):
    """Add each clique type's adopting ties: the group's adopters minus oneself."""
    n, k = adopted.shape
    for c in range(labels.shape[0]):
        n_groups = 0  # the largest label + 1, by a loop: .max() compiles a reduction for little work
        for i in range(n):
            n_groups = max(n_groups, labels[c, i] + 1)
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
                    proof[i, j] += weights[c] * a


@njit(error_model="numpy", no_cfunc_wrapper=True)
def _csr_signals(adopted, indptr, indices, weights, proof_weight, log_miss, log_no_hear, proof):
    """Add adopting ties along a sparse weighted tie matrix (land-border neighbours, lever-made ties): a tie
    of weight w carries w times the type's awareness and w times its social-proof weight."""
    n, k = adopted.shape
    for i in range(indptr.shape[0] - 1):
        for p in range(indptr[i], indptr[i + 1]):
            nb = indices[p]
            w = weights[p]
            for j in range(k):
                a = w * adopted[nb, j]
                log_no_hear[i, j] += log_miss * a
                proof[i, j] += proof_weight * a


def _log_miss(beta: float) -> float:
    return float(np.log1p(-min(beta, 1 - 1e-12)))
