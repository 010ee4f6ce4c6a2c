"""The stages an organisation passes through for each innovation, and the moves allowed between them.

``unaware -> aware -> piloting -> adopted``; a pilot that does not scale is ``stalled`` (abandoned); an
adoption can later be ``dropped``. Stalled and dropped organisations may become ready again (``aware``).
In the one-step life cycle used for the Bass reduction, awareness is adoption (``unaware -> adopted``).
Each organisation makes at most one move per innovation per quarter.
"""

from __future__ import annotations

#: the model's time step is a quarter: quarters in a year (not the four years between elections,
#: :data:`model.dynamics.people.ELECTION_YEARS`)
QUARTERS_PER_YEAR = 4

STAGES = ("unaware", "aware", "piloting", "adopted", "stalled", "dropped")
UNAWARE, AWARE, PILOTING, ADOPTED, STALLED, DROPPED = range(len(STAGES))

STAGED_MOVES = frozenset({
    (UNAWARE, AWARE), (AWARE, PILOTING), (PILOTING, ADOPTED), (PILOTING, STALLED),
    (ADOPTED, DROPPED), (STALLED, AWARE), (DROPPED, AWARE),
})
ONE_STEP_MOVES = frozenset({(UNAWARE, ADOPTED), (ADOPTED, DROPPED), (DROPPED, AWARE), (AWARE, ADOPTED)})


def allowed_moves(lifecycle: str) -> frozenset[tuple[int, int]]:
    """The (from, to) stage moves a quarter may make under the ``staged`` or ``one_step`` life cycle."""
    return ONE_STEP_MOVES if lifecycle == "one_step" else STAGED_MOVES
